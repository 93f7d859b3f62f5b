"""Results rendered for people (text, Markdown, JSON and the self-contained HTML report), and saved
results read back to be rendered again."""
