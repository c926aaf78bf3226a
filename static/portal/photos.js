// Uploads on a phone (every file input of portal/uploads.py carries data-max-bytes): a photo is
// scaled down in the browser before it is sent (a 12 MB camera picture becomes a few hundred kB),
// and a file still over the limit is refused here, before the upload starts on a weak signal.
// The server scales photos too (portal/uploads.py). A static file: the CSP forbids inline scripts.
(function () {
  "use strict";
  var PHOTO = /^image\/(jpeg|png|webp)$/;
  var SIDES = [1600, 1280, 1024, 800];
  var QUALITIES = [0.82, 0.7, 0.6];

  function blob(canvas, quality) {
    return new Promise(function (resolve) {
      canvas.toBlob(resolve, "image/jpeg", quality);
    });
  }

  // createImageBitmap decodes the file without an <img src="blob:...">, which the
  // Content-Security-Policy (img-src 'self' data:) would block.
  function load(file) {
    return createImageBitmap(file);
  }

  async function shrink(file, limit, maxSide) {
    var image = await load(file);
    if (Math.max(image.width, image.height) <= maxSide && file.size <= limit / 2) {
      return file;  // already small: sent as it is
    }
    var sides = [maxSide].concat(SIDES.filter(function (side) { return side < maxSide; }));
    for (var s = 0; s < sides.length; s++) {
      var scale = Math.min(1, sides[s] / Math.max(image.width, image.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(image.width * scale);
      canvas.height = Math.round(image.height * scale);
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      for (var q = 0; q < QUALITIES.length; q++) {
        var out = await blob(canvas, QUALITIES[q]);
        if (out && out.size <= limit && out.size < file.size) {
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          return new File([out], name, { type: "image/jpeg" });
        }
      }
    }
    return file;
  }

  function say(input, text) {
    var note = input.parentNode.querySelector(".evidence-note");
    if (!note) {
      note = document.createElement("p");
      note.className = "evidence-note small mt-1 mb-0";
      note.setAttribute("role", "status");
      input.parentNode.appendChild(note);
    }
    note.textContent = text;
  }

  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    var maxSide = parseInt(input.getAttribute("data-max-side") || "1600", 10);
    var form = input.form;
    input.addEventListener("change", async function () {
      var buttons = form ? form.querySelectorAll("button[type=submit]") : [];
      buttons.forEach(function (b) { b.disabled = true; });
      input.removeAttribute("data-ready");
      var kept = new DataTransfer();
      var refused = [];
      var shrunk = 0;
      for (var i = 0; i < input.files.length; i++) {
        var file = input.files[i];
        if (PHOTO.test(file.type)) {
          try {
            var smaller = await shrink(file, limit, maxSide);
            if (smaller !== file) {
              shrunk += 1;
            }
            file = smaller;
          } catch (error) {
            // Not decodable here: leave it to the server's check.
          }
        }
        if (file.size > limit) {
          refused.push(file.name);
        } else {
          kept.items.add(file);
        }
      }
      input.files = kept.files;
      var messages = [];
      if (shrunk) {
        messages.push(input.getAttribute("data-shrunk-text").replace("%(count)s", shrunk));
      }
      if (refused.length) {
        messages.push(input.getAttribute("data-too-big-text").replace("%(names)s", refused.join(", ")));
      }
      say(input, messages.join(" "));
      buttons.forEach(function (b) { b.disabled = false; });
      input.setAttribute("data-ready", "true");
    });
  });
})();
