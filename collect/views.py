"""The structure staff's pages of offline collection."""
