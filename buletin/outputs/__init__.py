"""The site's files: pages, feeds, downloads, search index, manifest, and writing them."""
