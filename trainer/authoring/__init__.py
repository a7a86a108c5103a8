"""Tools for scenario authors: scripted tests, exploration, coverage, graphs, templates."""
