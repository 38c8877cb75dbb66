// Material wraps each code block's copy button in a <nav>; several unnamed navs on one page are
// indistinguishable landmarks to screen readers (axe: landmark-unique). Name each one after its block.
(function () {
  function nameCodeNavs(root) {
    root.querySelectorAll(".md-code__nav:not([aria-label])").forEach(function (nav) {
      var block = nav.closest("[id^='__code_']");
      var number = block ? Number(block.id.replace("__code_", "")) + 1 : "";
      nav.setAttribute("aria-label", "Code block " + number + " actions");
    });
  }
  new MutationObserver(function () { nameCodeNavs(document); })
    .observe(document.documentElement, { childList: true, subtree: true });
  nameCodeNavs(document);
})();
