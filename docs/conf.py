"""Sphinx configuration of the fepteach course site (built by ``python3 bootstrap.py site``).

``docs/build.py`` assembles the sources (freshly executed lessons, student exercise notebooks,
the lecturer kit) in ``build/site-src`` next to a copy of this file, then runs Sphinx there.
"""

project = "fepteach"
author = "fepteach developers"
copyright = "fepteach developers; lesson text CC-BY-4.0, code MIT"
extensions = ["myst_nb"]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# The notebooks were executed by docs/build.py (which fails on any error); Sphinx only renders them.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "html_image", "deflist"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type", "misc.highlighting_failure"]

html_theme = "sphinx_book_theme"
html_title = "fepteach: canonical neural networks as Bayesian inference"
html_static_path = ["_static"]
html_css_files = ["fepteach.css"]
html_js_files = ["fepteach.js"]
html_extra_path = ["_extra"]
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
}
html_last_updated_fmt = None
html_show_sourcelink = False
