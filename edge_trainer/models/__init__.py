"""The model store: versioned model sets with manifests, provisioning and updates."""
