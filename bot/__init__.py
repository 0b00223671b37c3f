"""Hilal: a Slack app for teams that run Amazon Ads."""

__version__ = "0.1.0"
