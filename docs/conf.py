"""Sphinx configuration of the fepteach course site (built by ``python3 bootstrap.py site``).

``docs/build.py`` assembles the sources (freshly executed lessons, student exercise notebooks,
the lecturer kit) in ``build/site-src`` next to a copy of this file, then runs Sphinx there.
"""

from pathlib import Path

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

# Math offline: MathJax 2 from the jupyter-server-mathjax wheel, copied into _static/mathjax by docs/build.py.
# Without it Sphinx's default (MathJax 3 from its CDN) is used, which needs a network when the pages are viewed.
if (Path(__file__).parent / "_static" / "mathjax" / "MathJax.js").exists():
    mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
    mathjax3_config = None
    mathjax2_config = {
        "tex2jax": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]], "processEscapes": True,
                    "ignoreClass": "document", "processClass": "math|output_area"},
        "messageStyle": "none",
        "HTML-CSS": {"availableFonts": [], "preferredFont": None, "webFont": "STIX-Web"},  # the fonts the wheel ships
    }
