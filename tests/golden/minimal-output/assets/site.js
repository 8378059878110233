/* badgesite default theme: live status re-check and in-browser badge baking.
   Everything here is progressive: pages are complete without JavaScript. */
(function () {
  "use strict";

  // Re-check expiry against the viewer's clock (the page says what it was at build time).
  var status = document.getElementById("status");
  if (status && status.dataset.expires && status.dataset.status === "valid") {
    if (new Date(status.dataset.expires).getTime() <= Date.now()) {
      status.dataset.status = "expired";
      status.className = "status status-expired";
      var strong = status.querySelector("strong");
      if (strong) strong.textContent = "Expired";
      var sub = status.querySelector(".status-sub");
      if (sub) sub.textContent = "Its expiry date has passed.";
      var live = status.querySelector(".live-check");
      if (live) { live.hidden = false; live.textContent = "; by your device's clock it has now expired"; }
    }
  }

  // ---- Baking (Open Badges Baking Specification) ----
  var CRC_TABLE = (function () {
    var table = new Uint32Array(256);
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
    return table;
  })();

  function crc32(bytes) {
    var c = 0xffffffff;
    for (var i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  }

  function latin1(text) {
    var out = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  }

  function concat(parts) {
    var size = parts.reduce(function (n, p) { return n + p.length; }, 0);
    var out = new Uint8Array(size), at = 0;
    parts.forEach(function (p) { out.set(p, at); at += p.length; });
    return out;
  }

  function u32(n) { return new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]); }

  // An uncompressed iTXt chunk: keyword \0 flag method language \0 translated \0 text.
  function itxtChunk(keyword, text) {
    var data = concat([latin1(keyword), new Uint8Array([0, 0, 0, 0, 0]), new TextEncoder().encode(text)]);
    var typeAndData = concat([latin1("iTXt"), data]);
    return concat([u32(data.length), typeAndData, u32(crc32(typeAndData))]);
  }

  function bakePng(bytes, keyword, text) {
    var view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    var parts = [bytes.subarray(0, 8)], at = 8, inserted = false;
    while (at < bytes.length) {
      var length = view.getUint32(at), type = String.fromCharCode.apply(null, bytes.subarray(at + 4, at + 8));
      var end = at + 12 + length, chunk = bytes.subarray(at, end);
      var ours = type === "iTXt" && String.fromCharCode.apply(null, bytes.subarray(at + 8, at + 8 + keyword.length + 1)) === keyword + "\0";
      if (!ours) parts.push(chunk);
      if (type === "IHDR" && !inserted) { parts.push(itxtChunk(keyword, text)); inserted = true; }
      at = end;
    }
    return concat(parts);
  }

  function bakeSvg(svg, element, namespace, verify, json) {
    svg = svg.replace(/<openbadges:(assertion|credential)\b[\s\S]*?<\/openbadges:\1>/g, "");
    var open = svg.match(/<svg\b[^>]*>/);
    if (!open) throw new Error("not an SVG image");
    // One namespace, one baked element: an earlier bake of either version is replaced.
    var tag = open[0].replace(/\sxmlns:openbadges="[^"]*"/g, "").replace(/^<svg\b/, '<svg xmlns:openbadges="' + namespace + '"');
    var body = "<![CDATA[" + json.split("]]>").join("]]]]><![CDATA[>") + "]]>";
    var attr = verify == null ? "" : ' verify="' + verify.replace(/&/g, "&amp;").replace(/"/g, "&quot;") + '"';
    var baked = "<openbadges:" + element + attr + ">" + body + "</openbadges:" + element + ">";
    return svg.slice(0, open.index) + tag + baked + svg.slice(open.index + open[0].length);
  }

  function save(blob, name) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }

  var box = document.querySelector(".downloads");
  var dataElement = document.getElementById("assertion-data");
  if (!box || !dataElement) return;
  var message = box.querySelector(".bake-message");
  // The buttons only work with JavaScript, so they are hidden until now (and the note is shown).
  Array.prototype.forEach.call(box.querySelectorAll("button[data-bake]"), function (b) { b.hidden = false; });
  Array.prototype.forEach.call(box.querySelectorAll(".needs-js"), function (p) { p.hidden = true; });
  box.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-bake]");
    if (!button) return;
    var kind = button.dataset.bake, ob3 = button.dataset.format === "ob3";
    var assertion = JSON.parse(dataElement.textContent);
    message.hidden = true;
    // 2.0: the hosted assertion (embedded in this page); 3.0: the signed credential, byte for byte.
    var text = ob3
      ? fetch(button.dataset.credential).then(function (response) {
          if (!response.ok) throw new Error("could not load the credential (" + response.status + ")");
          return response.text();
        }).then(function (t) { return t.trim(); })
      : Promise.resolve(JSON.stringify(assertion));
    Promise.all([text, fetch(box.dataset.image).then(function (response) {
      if (!response.ok) throw new Error("could not load the badge image (" + response.status + ")");
      return kind === "png" ? response.arrayBuffer() : response.text();
    })]).then(function (both) {
      var json = both[0], image = both[1], blob;
      if (kind === "png") {
        blob = new Blob([bakePng(new Uint8Array(image), ob3 ? "openbadgecredential" : "openbadges", json)], { type: "image/png" });
      } else {
        blob = new Blob([ob3 ? bakeSvg(image, "credential", "https://purl.imsglobal.org/ob/v3p0", null, json)
                             : bakeSvg(image, "assertion", "http://openbadges.org", assertion.id, json)], { type: "image/svg+xml" });
      }
      save(blob, box.dataset.name + (ob3 ? "-ob3." : ".") + kind);
    }).catch(function (error) {
      message.hidden = false;
      message.textContent = "Could not bake the badge: " + error.message +
        (location.protocol === "file:" ? " (open the site through a web server, not as a file)" : "");
    });
  });

  window.badgesiteBake = { png: bakePng, svg: bakeSvg, crc32: crc32 };
})();
