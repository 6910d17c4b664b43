"""The console's responses section."""
