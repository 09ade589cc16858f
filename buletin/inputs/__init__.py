"""Reading and validating what a site is made of: config, content, data, releases."""
