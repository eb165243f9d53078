"""What readiness leads read: frameworks and gaps, claims, briefings."""
