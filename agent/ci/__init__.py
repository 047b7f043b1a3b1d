"""``perfforge ci``: a bot that proposes performance pull requests a maintainer can trust.

Modules: ``config`` ([tool.perfforge]), ``gitrepo`` (the repository through git),
``discover`` / ``hot`` (changed and hot functions), ``oracle`` (the repository's suite and
recorded calls, through the targets layer), ``gates`` (what a change must show),
``evidence`` / ``propose`` (patch, pull-request body, branch), ``github`` (REST client),
``workflow`` (``perfforge ci init``), ``pipeline`` (the whole run), ``cli``.
"""
