"""The Slack adapter: slack-bolt's AsyncApp over the core service, same command grammar."""
