// Project page tabs: with JavaScript, one section at a time behind ARIA tabs (arrow keys move
// between them); without it, every section shows and the tabs are plain links to them.
document.addEventListener("DOMContentLoaded", function () {
  var list = document.querySelector("[data-tabs]");
  if (!list) return;
  var links = Array.prototype.slice.call(list.querySelectorAll("a[href^='#']"));
  var panels = links.map(function (a) { return document.getElementById(a.getAttribute("href").slice(1)); });
  if (panels.some(function (p) { return !p; })) return;
  list.setAttribute("role", "tablist");
  function select(index, focus) {
    links.forEach(function (link, i) {
      var on = i === index;
      link.setAttribute("aria-selected", on ? "true" : "false");
      link.setAttribute("tabindex", on ? "0" : "-1");
      if (on) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
      panels[i].hidden = !on;
    });
    if (focus) links[index].focus();
  }
  links.forEach(function (link, i) {
    link.setAttribute("role", "tab");
    link.id = link.id || "tab-" + panels[i].id;
    link.setAttribute("aria-controls", panels[i].id);
    panels[i].setAttribute("role", "tabpanel");
    panels[i].setAttribute("aria-labelledby", link.id);
    link.addEventListener("click", function (event) {
      event.preventDefault();
      select(i, false);
      history.replaceState(null, "", "#" + panels[i].id);
    });
    link.addEventListener("keydown", function (event) {
      var next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: links.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      select((next + links.length) % links.length, true);
    });
  });
  var wanted = panels.findIndex(function (p) { return "#" + p.id === location.hash; });
  select(wanted >= 0 ? wanted : 0, false);
});
