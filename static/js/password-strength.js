// Live password feedback (templates/accounts/_password_strength.html): a static file, as the
// Content-Security-Policy allows no inline script.
(function () {
  var box = document.getElementById("password-feedback");
  var field = box && document.getElementById(box.dataset.password);
  if (!field || !window.fetch) return;
  var form = field.form;
  var other = function (id) { var el = id && document.getElementById(id); return el ? el.value : ""; };
  var minLength = parseInt(box.dataset.minLength, 10);
  var timer = null;
  box.hidden = false;
  field.setAttribute("aria-describedby", ((field.getAttribute("aria-describedby") || "") + " password-feedback").trim());

  function mark(rule, ok) {
    var li = box.querySelector('[data-rule="' + rule + '"]');
    li.className = ok === null ? "" : ok ? "ok" : "bad";
    li.dataset.state = ok === null ? "unknown" : ok ? "ok" : "bad";
  }
  function strength(pw) {
    var classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter(function (r) { return r.test(pw); }).length;
    var score = Math.min(pw.length, 24) / 6 + classes;  // rough: length matters most
    return pw.length < minLength ? "too short" : score < 5 ? "fair" : score < 7 ? "good" : "strong";
  }
  function serverCheck() {
    var body = new FormData();
    body.append("password", field.value);
    body.append("username", other(box.dataset.username));
    body.append("email", other(box.dataset.email));
    var token = form.querySelector("[name=csrfmiddlewaretoken]");
    fetch(box.dataset.checkUrl, {method: "POST", body: body, credentials: "same-origin",
                                 headers: {"X-CSRFToken": token ? token.value : ""}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        var list = box.querySelector('[data-role="problems"]');
        list.textContent = "";
        data.problems.forEach(function (p) { var li = document.createElement("li"); li.textContent = p; list.appendChild(li); });
        mark("server", data.ok);
      }).catch(function () {});
  }
  function update() {
    var pw = field.value;
    mark("length", pw ? pw.length >= minLength : null);
    mark("numeric", pw ? !/^\d+$/.test(pw) : null);
    mark("server", null);
    box.querySelector('[data-role="strength"]').textContent = pw ? strength(pw) : "–";
    clearTimeout(timer);
    if (pw) timer = setTimeout(serverCheck, 400);
  }
  field.addEventListener("input", update);
})();
