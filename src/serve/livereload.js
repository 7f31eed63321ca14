// iopsite serve: live reload. Only `iopsite serve` sends this file and the tag that loads it; it is never part of
// the built site. The tag carries the server run and the build generation the page was served at.
//
// One tab of the site polls (it holds a Web Lock); it passes every answer to the other tabs (BroadcastChannel), so
// twenty open tabs use one connection. Each tab decides for itself: reload, swap the stylesheets, or nothing.
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me) return;
  var page = { server: me.dataset.server, generation: Number(me.dataset.generation) };
  var channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("iopsite-livereload") : null;

  function swapStylesheets(generation) {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    Array.prototype.forEach.call(links, function (link) {
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin) return;
      url.searchParams.set("iopsite", String(generation));
      var next = link.cloneNode();
      next.href = url.href;
      // Remove the old sheet only when the new one is there, so the page never flashes unstyled.
      next.addEventListener("load", function () { link.remove(); });
      next.addEventListener("error", function () { link.remove(); });
      link.after(next);
    });
  }

  // What this page does about an answer: the same rule as the server's `action`.
  function apply(event) {
    if (!event || typeof event.generation !== "number") return;
    if (event.server !== page.server || event.full > page.generation) {
      location.reload();
    } else if (event.generation > page.generation) {
      page.generation = event.generation;
      swapStylesheets(event.generation);
    }
  }

  function ask(wait) {
    var url = "/__iopsite/events?server=" + encodeURIComponent(page.server) +
      "&since=" + page.generation + (wait ? "" : "&wait=0");
    var abort = typeof AbortController === "function" ? new AbortController() : null;
    // The server answers within 25 s; give up a little later in case the connection is silently gone.
    var timer = abort ? setTimeout(function () { abort.abort(); }, 40000) : null;
    return fetch(url, { cache: "no-store", signal: abort ? abort.signal : undefined })
      .then(function (response) { return response.json(); })
      .finally(function () { if (timer) clearTimeout(timer); });
  }

  // The polling tab: ask, tell the others, apply; after an error (server stopped) try again every second.
  function lead() {
    return new Promise(function () {
      function loop() {
        ask(true).then(function (event) {
          if (channel) channel.postMessage(event);
          apply(event);
          loop();
        }, function () { setTimeout(loop, 1000); });
      }
      loop();
    });
  }

  if (channel) channel.onmessage = function (message) { apply(message.data); };
  // A build may have finished between serving this page and running this script: check once at once.
  ask(false).then(apply, function () {});
  if (navigator.locks && channel) {
    navigator.locks.request("iopsite-livereload", lead);
  } else {
    lead();
  }

  var hide = document.getElementById("iopsite-overlay-hide");
  if (hide) {
    hide.addEventListener("click", function () {
      var overlay = document.getElementById("iopsite-overlay");
      if (overlay) overlay.hidden = true;
    });
  }
})();
