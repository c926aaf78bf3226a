// Background job page: poll the job's status and show its progress; reveal the download
// link when the file is ready. No inline script (Content-Security-Policy).
(function () {
  "use strict";
  var box = document.querySelector("[data-job-status-url]");
  if (!box) return;
  var meter = box.querySelector("progress");
  var label = box.querySelector("[data-job-label]");
  var ready = document.querySelector("[data-job-ready]");
  var failed = document.querySelector("[data-job-failed]");
  var delay = 1000;

  function show(status) {
    meter.value = status.progress;
    meter.textContent = status.progress + "%";
    label.textContent = status.label + " (" + status.progress + "%)" + (status.count ? " · " + status.count : "");
    if (status.finished && box.hasAttribute("data-job-reload") && status.report) {
      window.location.reload();  // the report (an import's rows) is rendered by the server
      return true;
    }
    if (status.state === "done") {
      if (ready) ready.hidden = false;
      return true;
    }
    if (status.state === "failed") {
      if (failed) failed.hidden = false;
      return true;
    }
    return false;
  }

  function poll() {
    fetch(box.getAttribute("data-job-status-url"), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (!show(status)) {
          delay = Math.min(delay * 1.5, 5000);
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  poll();
})();
