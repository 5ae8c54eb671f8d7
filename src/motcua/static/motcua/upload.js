/* motcua — uploads on the draft page: each file is sent as soon as it is chosen, with its
   progress shown and up to three retries on a broken connection. Without this script the
   forms still work with their "Tải lên" button. */
(function () {
  "use strict";
  var RETRIES = 3;
  var vi = (document.documentElement.lang || "vi").indexOf("en") !== 0;
  var T = vi
    ? { sending: "Đang tải lên", retry: "Mất kết nối, thử lại", done: "Đã lưu", failed: "Không tải lên được", just: "vừa tải lên" }
    : { sending: "Uploading", retry: "Connection lost, retrying", done: "Saved", failed: "Could not upload", just: "just uploaded" };

  // One file at a time: a phone's connection is shared anyway, and each upload is one
  // change of the draft, made in turn.
  var queue = [], busy = false;
  function enqueue(form, file, status, list) {
    queue.push([form, file, status, list]);
    next();
  }
  function next() {
    if (busy || !queue.length) { return; }
    busy = true;
    var job = queue.shift();
    send(job[0], job[1], job[2], job[3], 0);
  }
  function finished() { busy = false; next(); }

  function send(form, file, status, list, attempt) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    data.append("component", form.elements.component.value);
    data.append("files", file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) {
        status.textContent = T.sending + " " + file.name + ": " + Math.round((100 * e.loaded) / e.total) + "%";
      }
    };
    xhr.onload = function () {
      var answer = {};
      try { answer = JSON.parse(xhr.responseText); } catch (err) { answer = {}; }
      if (xhr.status === 200 && answer.files) {
        answer.files.forEach(function (f) {
          var item = document.createElement("li");
          var link = document.createElement("a");
          link.href = form.action.replace(/tai-len\/$/, "tep/" + f.id + "/");
          link.textContent = f.name;
          item.appendChild(link);
          item.appendChild(document.createTextNode(" (" + T.just + ")"));
          list.appendChild(item);
        });
        status.textContent = T.done + ": " + file.name;
        status.className = "upload-status ok";
        finished();
      } else if (xhr.status >= 500 && attempt < RETRIES) {
        retry();
      } else {
        status.textContent = T.failed + " " + file.name + ": " + ((answer.errors || []).join(" ") || xhr.status);
        status.className = "upload-status error";
        finished();
      }
    };
    function retry() {
      status.textContent = T.retry + " (" + (attempt + 1) + "/" + RETRIES + ")";
      setTimeout(function () { send(form, file, status, list, attempt + 1); }, 1000 * Math.pow(2, attempt));
    }
    xhr.onerror = function () {
      if (attempt < RETRIES) { retry(); } else {
        status.textContent = T.failed + " " + file.name;
        status.className = "upload-status error";
        finished();
      }
    };
    xhr.send(data);
  }

  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    var status = form.querySelector(".upload-status");
    var list = document.querySelector('[data-files-for="' + form.elements.component.value + '"]');
    var button = form.querySelector("button[type=submit]");
    if (button) { button.hidden = true; }
    function sendChosen() {
      Array.prototype.forEach.call(input.files, function (file) { enqueue(form, file, status, list); });
      input.value = "";
    }
    input.addEventListener("change", sendChosen);
    // On a slow phone the files may have been chosen before this script arrived.
    if (input.files && input.files.length) { sendChosen(); }
  });
})();
