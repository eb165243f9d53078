"""Text: sentences, words and stop words, units, whose words they are, cleaning and safe display."""
