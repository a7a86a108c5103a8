"""The app's reusable widgets."""
