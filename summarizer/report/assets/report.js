// summarizer report: selecting a claim shows its evidence in the source; selecting a highlight shows the
// claims that rest on it. Reads only the page's own data attributes; writes text, never HTML.
(function () {
  "use strict";
  var body = document.body;
  var source = document.getElementById("source");
  var info = document.getElementById("span-info");
  var claims = Array.prototype.slice.call(document.querySelectorAll(".claim"));
  var marks = Array.prototype.slice.call(document.querySelectorAll("mark.ev"));

  function words(el, name) {
    var value = el.getAttribute(name) || "";
    return value ? value.split(" ") : [];
  }

  function clear() {
    body.classList.remove("focusing");
    claims.forEach(function (c) {
      c.classList.remove("active", "linked");
      c.setAttribute("aria-pressed", "false");
    });
    marks.forEach(function (m) { m.classList.remove("focus", "picked"); });
    info.hidden = true;
    while (info.firstChild) { info.removeChild(info.firstChild); }
  }

  // spanId: scroll to that span (an evidence quote was selected) rather than the claim's first one
  function selectClaim(card, spanId) {
    var wasActive = card.classList.contains("active");
    clear();
    if (wasActive && !spanId) { return; }
    card.classList.add("active");
    card.setAttribute("aria-pressed", "true");
    var n = card.getAttribute("data-claim");
    var first = null;
    var target = null;
    marks.forEach(function (m) {
      if (words(m, "data-claims").indexOf(n) >= 0) {
        m.classList.add("focus");
        if (!first) { first = m; }
        if (spanId && !target && words(m, "data-spans").indexOf(spanId) >= 0) { target = m; }
      }
    });
    body.classList.add("focusing");
    if (target || first) { (target || first).scrollIntoView({ block: "center" }); }
  }

  function selectSpan(mark) {
    clear();
    var ids = words(mark, "data-spans");
    marks.forEach(function (m) {
      if (words(m, "data-spans").some(function (id) { return ids.indexOf(id) >= 0; })) {
        m.classList.add("picked");
      }
    });
    var numbers = words(mark, "data-claims");
    var heading = document.createElement("strong");
    heading.textContent = numbers.length === 1
      ? "This passage is evidence for claim " + numbers[0] + ":"
      : "This passage is evidence for claims " + numbers.join(", ") + ":";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close";
    close.addEventListener("click", clear);
    var list = document.createElement("ul");
    var firstCard = null;
    numbers.forEach(function (n) {
      var card = document.getElementById("claim-" + n);
      if (!card) { return; }
      card.classList.add("linked");
      if (!firstCard) { firstCard = card; }
      var item = document.createElement("li");
      var badge = card.querySelector(".badge");
      var text = card.querySelector(".text");
      item.setAttribute("data-claim", n);
      item.textContent = n + ". " + (badge ? badge.textContent.trim() + " — " : "") + (text ? text.textContent : "");
      list.appendChild(item);
    });
    info.appendChild(close);
    info.appendChild(heading);
    info.appendChild(list);
    info.hidden = false;
    if (firstCard) { firstCard.scrollIntoView({ block: "nearest" }); }
  }

  function activate(handler) {
    return function (event) {
      if (event.type === "keydown" && event.key !== "Enter" && event.key !== " ") { return; }
      if (event.type === "keydown") { event.preventDefault(); }
      handler(event.currentTarget);
    };
  }

  claims.forEach(function (card) {
    card.addEventListener("click", function (event) {
      if (event.target.closest && event.target.closest("summary")) { return; }
      var quote = event.target.closest ? event.target.closest("li[data-span]") : null;
      selectClaim(card, quote ? quote.getAttribute("data-span") : null);
    });
    card.addEventListener("keydown", activate(selectClaim));
  });
  marks.forEach(function (m) {
    m.addEventListener("click", activate(selectSpan));
    m.addEventListener("keydown", activate(selectSpan));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { clear(); }
  });
  // a printed report shows every claim's quotes: open the evidence lists for printing, then close them again
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(document.querySelectorAll("details"), function (d) { return !d.open; });
    opened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
  if (source) { source.setAttribute("data-ready", "1"); }
})();
