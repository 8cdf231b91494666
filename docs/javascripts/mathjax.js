// MathJax configuration for pymdownx.arithmatex (generic mode). The MathJax script itself
// is bundled (javascripts/mathjax/tex-svg.js, see SOURCE.txt there), so the maths renders
// offline; its SVG output needs no font files.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
  svg: {
    fontCache: "global",
  },
};

// Typeset again after each page change (Material's instant navigation).
document$.subscribe(() => {
  if (!window.MathJax || !MathJax.startup || !MathJax.typesetPromise) {
    return; // MathJax has not started yet: its own startup typesets the page
  }
  MathJax.startup.output.clearCache();
  MathJax.typesetClear();
  MathJax.texReset();
  MathJax.typesetPromise();
});
