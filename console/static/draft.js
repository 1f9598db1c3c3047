// Fills a form again with what was typed before a sign-in (see console/draft.go). The form is
// the one posting to the draft's action; where several do (one per decision), the one whose
// hidden fields match the draft. Nothing is submitted: the person checks and sends it.
(function () {
  "use strict";
  var el = document.getElementById("draft-data");
  if (!el) { return; }
  var draft;
  try { draft = JSON.parse(el.textContent); } catch (e) { return; }
  if (!draft || !draft.values) { return; }
  var values = draft.values;
  function pathOf(form) {
    try { return new URL(form.getAttribute("action") || "", window.location.href).pathname; } catch (e) { return ""; }
  }
  function matches(form) {
    if (pathOf(form) !== draft.action) { return false; }
    var hidden = form.querySelectorAll("input[type=hidden]");
    for (var i = 0; i < hidden.length; i++) {
      var h = hidden[i];
      if (h.name === "csrf" || h.name === "idem") { continue; }
      if (Object.prototype.hasOwnProperty.call(values, h.name) && values[h.name] !== h.value) { return false; }
    }
    return true;
  }
  var forms = document.querySelectorAll("form");
  var form = null;
  for (var i = 0; i < forms.length; i++) {
    if (matches(forms[i])) { form = forms[i]; break; }
  }
  if (!form) { return; }
  var first = null;
  var fields = form.elements;
  for (var j = 0; j < fields.length; j++) {
    var f = fields[j];
    if (!f.name || f.name === "csrf" || !Object.prototype.hasOwnProperty.call(values, f.name)) { continue; }
    var v = values[f.name];
    if (f.type === "radio" || f.type === "checkbox") {
      f.checked = f.value === v;
    } else if (f.type !== "hidden" || f.name === "idem") {
      f.value = v;
    } else {
      continue;
    }
    if (!first && f.type !== "hidden") { first = f; }
  }
  var details = form.closest("details");
  if (details) { details.open = true; }
  if (first) { first.focus(); }
})();
