"""Domain logic: no Slack framework imports here (services talk to Slack only through `SlackGateway`)."""
