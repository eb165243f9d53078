"""Who may read what and what they did: access, audit, feedback, screening of what is typed or read."""
