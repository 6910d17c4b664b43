"""The console's intents section."""
