"""Reports for people: the daily situation report (data, figures, HTML, PDF, Markdown)."""
