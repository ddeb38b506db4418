"""Interactive demos, one submodule per topic.

Each widget is thin ipywidgets wiring around a pure ``render_*(...)`` function in the
same module that draws one state of the demo (and returns the figure or axes);
tests call the render functions directly. ipywidgets is imported only here.
Sliders use ``continuous_update=False`` so that a demo stays responsive on a slow
laptop or on Colab, and the output is redrawn with ``plt.show()`` inside an
``Output`` widget (which is what makes it work in JupyterLab, Colab and VS Code).
"""
