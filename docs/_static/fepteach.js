// Accessibility: the theme's primary sidebar (site title, search, navigation) is a plain <div>, so axe-core
// reports its first item as content outside any landmark. Mark it as a labelled complementary region.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".bd-sidebar-primary").forEach(function (el) {
    if (!el.closest("nav, aside, header, main, footer, [role]")) {
      el.setAttribute("role", "complementary");
      el.setAttribute("aria-label", "Course navigation");
    }
  });
});
