"""litbuild: render a Quarto book project to an HTML site and a PDF without Quarto."""

__version__ = "0.1.0"
