"""Domain logic: no Slack library imports here (services talk to Slack through `bot.services.slack_ports`)."""
