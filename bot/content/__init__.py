"""Content as data: the procedure catalog and flows (pure models), and the loaders that read them from YAML.

A regular package (not a namespace one) so import-linter sees its modules and setuptools ships them."""
