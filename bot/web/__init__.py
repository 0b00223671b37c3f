"""HTTP surface of the app: Slack events, Amazon OAuth, health and metrics."""
