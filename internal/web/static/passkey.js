// Passkeys for the officials' portal: the only script of the site. It runs
// the WebAuthn ceremony the server began and posts the answer back; pages
// work without it, with an authenticator app.
(function () {
  "use strict";
  var box = document.getElementById("passkey");
  if (!box) return;
  if (!window.PublicKeyCredential) { box.hidden = true; return; }
  function bytes(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    return Uint8Array.from(atob(s), function (c) { return c.charCodeAt(0); });
  }
  function b64(buf) {
    var s = String.fromCharCode.apply(null, new Uint8Array(buf));
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function post(url, body) {
    return fetch(url, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": box.dataset.csrf},
      body: body ? JSON.stringify(body) : "{}"}).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error(j.error ? j.error.message : "the server refused");
        return j;
      });
    });
  }
  function fail(e) {
    var p = document.createElement("p");
    p.className = "error"; p.setAttribute("role", "alert");
    p.textContent = "The passkey did not work: " + e.message;
    box.appendChild(p);
  }
  function done(j) { window.location = j.next || box.dataset.next; }
  var reg = document.getElementById("passkey-register");
  if (reg) reg.addEventListener("click", function () {
    post(box.dataset.begin).then(function (o) {
      var pk = o.publicKey;
      pk.challenge = bytes(pk.challenge);
      pk.user.id = bytes(pk.user.id);
      (pk.excludeCredentials || []).forEach(function (c) { c.id = bytes(c.id); });
      return navigator.credentials.create({publicKey: pk});
    }).then(function (c) {
      return post(box.dataset.finish, {id: c.id, rawId: b64(c.rawId), type: c.type,
        response: {clientDataJSON: b64(c.response.clientDataJSON), attestationObject: b64(c.response.attestationObject)}});
    }).then(done, fail);
  });
  var login = document.getElementById("passkey-login");
  if (login) login.addEventListener("click", function () {
    post(box.dataset.begin).then(function (o) {
      var pk = o.publicKey;
      pk.challenge = bytes(pk.challenge);
      (pk.allowCredentials || []).forEach(function (c) { c.id = bytes(c.id); });
      return navigator.credentials.get({publicKey: pk});
    }).then(function (c) {
      return post(box.dataset.finish, {id: c.id, rawId: b64(c.rawId), type: c.type,
        response: {clientDataJSON: b64(c.response.clientDataJSON), authenticatorData: b64(c.response.authenticatorData),
          signature: b64(c.response.signature), userHandle: c.response.userHandle ? b64(c.response.userHandle) : null}});
    }).then(done, fail);
  });
})();
