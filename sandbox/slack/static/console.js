/* The Hilal console: a small Slack-like client over the stand-in's /console API. */
(function () {
  "use strict";

  const B = window.HilalBlocks;
  const $ = function (id) { return document.getElementById(id); };
  const seat = { team: null, user: null, channel: null, app: false, tab: "home" };
  let doc = null;
  let version = null;
  let rendered = { timeline: null, home: null, modal: null };
  let polling = 0;
  const dismissed = new Set();
  const openThreads = new Set();

  function readHash() {
    const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean);
    seat.team = parts[0] || null;
    seat.user = parts[1] || null;
    seat.app = parts[2] === "app";
    seat.channel = seat.app ? null : (parts[2] || null);
    seat.tab = seat.app && parts[3] === "messages" ? "messages" : "home";
  }

  function writeHash() {
    const where = seat.app ? "app/" + seat.tab : (seat.channel || "");
    const next = "#/" + [seat.team, seat.user, where].filter(Boolean).join("/");
    if (location.hash !== next) history.replaceState(null, "", next);
  }

  function toast(message, kind) {
    const node = document.createElement("div");
    node.className = "toast" + (kind ? " toast-" + kind : "");
    node.setAttribute("role", "status");
    node.textContent = message;
    $("toasts").appendChild(node);
    setTimeout(function () { node.remove(); }, 6000);
  }

  function post(path, body) {
    const payload = Object.assign({ team: seat.team, user: seat.user }, body);
    return fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload) })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (!answer.ok) toast(answer.error || "Request failed", "error");
        return answer;
      })
      .catch(function (err) { toast(String(err), "error"); return { ok: false }; });
  }

  function poll() {
    const token = ++polling;
    const query = new URLSearchParams({ wait: version === null ? "0" : "8" });
    if (seat.team) query.set("team", seat.team);
    if (seat.user) query.set("user", seat.user);
    if (version !== null) query.set("since", String(version));
    fetch("/console/state?" + query.toString(), { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        if (token !== polling) return;
        if (!answer.unchanged) { doc = answer; version = answer.version; render(); }
        setTimeout(poll, 30);
      })
      .catch(function () { if (token === polling) setTimeout(poll, 1000); });
  }

  function restart() { version = null; rendered = { timeline: null, home: null, modal: null }; poll(); }

  function timeOf(epoch) {
    if (!epoch) return "";
    return new Date(epoch * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function channelLabel(channel) {
    if (!channel) return "";
    if (channel.is_im) return "hilal";
    return (channel.is_private ? "🔒 " : "# ") + channel.name;
  }

  function currentChannel() {
    if (!doc) return null;
    if (seat.app) return { id: doc.app_dm, name: "hilal", is_im: true, bot_is_member: true };
    return doc.channels.find(function (c) { return c.id === seat.channel; }) || null;
  }

  // sidebar ------------------------------------------------------------------------------------

  function renderSidebar() {
    const ws = $("workspace-select");
    ws.hidden = doc.workspaces.length < 2;
    ws.innerHTML = doc.workspaces.map(function (w) {
      return '<option value="' + B.esc(w.team_id) + '"' + (w.team_id === seat.team ? " selected" : "") + ">" + B.esc(w.name) + "</option>";
    }).join("");
    $("workspace-name").textContent = doc.team ? doc.team.name : "Local Slack";
    $("user-select").innerHTML = doc.users.map(function (u) {
      const role = u.is_admin ? " · admin" : "";
      return '<option value="' + B.esc(u.id) + '"' + (u.id === seat.user ? " selected" : "") + ">" +
        B.esc(u.real_name) + " (" + B.esc(u.id) + role + ")</option>";
    }).join("");
    const list = $("channel-list");
    list.innerHTML = "";
    doc.channels.filter(function (c) { return !c.is_im; }).forEach(function (channel) {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "channel" + (channel.id === seat.channel && !seat.app ? " active" : "");
      button.setAttribute("data-channel-id", channel.id);
      if (channel.id === seat.channel && !seat.app) button.setAttribute("aria-current", "page");
      button.textContent = channelLabel(channel);
      if (channel.is_archived) button.classList.add("archived");
      button.addEventListener("click", function () { seat.app = false; seat.channel = channel.id; writeHash(); rendered.timeline = null; render(); });
      li.appendChild(button);
      list.appendChild(li);
    });
    const appEntry = $("app-entry");
    appEntry.classList.toggle("active", seat.app);
    if (seat.app) appEntry.setAttribute("aria-current", "page"); else appEntry.removeAttribute("aria-current");
  }

  function rawDetails(label, data) {
    // The JSON is only put in the page when asked for, so it never competes with what a person sees.
    const details = document.createElement("details");
    details.className = "raw";
    details.innerHTML = "<summary>" + B.esc(label) + "</summary>";
    details.addEventListener("toggle", function () {
      if (details.open && !details.querySelector("pre")) {
        const pre = document.createElement("pre");
        pre.textContent = JSON.stringify(data, null, 2);
        details.appendChild(pre);
      }
    });
    return details;
  }

  // notices --------------------------------------------------------------------------------------

  function noticeNode(item) {
    const node = document.createElement("div");
    node.className = "notice";
    node.setAttribute("role", "alert");
    node.setAttribute("data-notice-id", item.id);
    node.setAttribute("data-error", item.error);
    node.innerHTML = '<div class="notice-head"><span class="notice-icon" aria-hidden="true">⚠</span> <strong>' +
      B.esc(item.title) + "</strong>: <code>" + B.esc(item.error) + "</code></div>" +
      (item.details.length ? "<ul>" + item.details.map(function (d) { return "<li><code>" + B.esc(d) + "</code></li>"; }).join("") + "</ul>" : "") +
      "";
    if (item.payload) node.appendChild(rawDetails("Payload", item.payload));
    return node;
  }

  function renderNotices() {
    const root = $("notices");
    root.innerHTML = "";
    (doc.notices || []).slice(-5).forEach(function (item) {
      if (dismissed.has(item.id)) return;
      const node = noticeNode(item);
      const close = document.createElement("button");
      close.type = "button";
      close.className = "notice-close";
      close.setAttribute("aria-label", "Dismiss");
      close.textContent = "×";
      close.addEventListener("click", function () { dismissed.add(item.id); node.remove(); });
      node.appendChild(close);
      root.appendChild(node);
    });
    if (!doc.app_configured) {
      const hint = document.createElement("div");
      hint.className = "notice notice-info";
      hint.textContent = "No app is connected yet: slash commands and clicks have nowhere to go.";
      root.appendChild(hint);
    }
  }

  // messages -------------------------------------------------------------------------------------

  function context(surface, values, errors) {
    return {
      values: values,
      errors: errors || {},
      users: doc.users,
      channels: doc.channels,
      onAction: function (detail) { act(surface, detail); },
      confirm: confirmDialog,
      loadOptions: function (detail) {
        return post("/console/options", Object.assign({}, surface.ids, detail)).then(function (a) { return a.ok ? a : {}; });
      },
    };
  }

  function act(surface, detail) {
    const root = surface.root();
    const body = Object.assign({}, surface.ids, {
      block_id: detail.block_id,
      action_id: detail.action_id,
      value: detail.value === undefined ? null : detail.value,
      selected_options: detail.selected_options === undefined ? null : detail.selected_options,
      values: root ? B.collect(root) : null,
    });
    post("/console/action", body);
  }

  function attachmentNode(att) {
    const node = document.createElement("div");
    node.className = "attachment";
    node.style.borderLeftColor = att.color ? (att.color.charAt(0) === "#" ? att.color : ({ good: "#2eb67d", warning: "#ecb22e", danger: "#e01e5a" }[att.color] || "#ddd")) : "#ddd";
    if (att.title) node.insertAdjacentHTML("beforeend", "<strong>" + B.esc(att.title) + "</strong>");
    if (att.text) node.insertAdjacentHTML("beforeend", "<div>" + B.mrkdwn(att.text) + "</div>");
    if (att.blocks) node.appendChild(B.render(att.blocks, {}));
    return node;
  }

  function fileNode(file) {
    const node = document.createElement("div");
    node.className = "file";
    if (/^image\//.test(file.mimetype || "")) {
      node.innerHTML = '<a href="' + B.esc(file.url_private) + '" target="_blank" rel="noopener"><img src="' + B.esc(file.url_private) +
        '" alt="' + B.esc(file.alt_txt || file.title || file.name) + '"></a><div class="file-title">' + B.esc(file.title || file.name) + "</div>";
    } else {
      node.innerHTML = '<a class="file-link" href="' + B.esc(file.url_private) + '" target="_blank" rel="noopener">📄 ' + B.esc(file.title || file.name) + "</a>";
    }
    return node;
  }

  function messageNode(item, replies) {
    if (item.kind === "notice") return noticeNode(item);
    if (item.kind === "command") {
      const echo = document.createElement("div");
      echo.className = "command-echo";
      echo.setAttribute("data-message-id", item.id);
      echo.innerHTML = '<span class="muted">You ran</span> <code>' + B.esc(item.text) + '</code> <time>' + timeOf(item.time) + "</time>";
      return echo;
    }
    if (item.kind === "system") {
      const line = document.createElement("div");
      line.className = "command-echo system-line";
      line.setAttribute("data-message-id", item.id);
      line.innerHTML = '<span class="muted">' + B.esc(item.author.name) + " has joined the channel</span> <time>" + timeOf(item.time) + "</time>";
      return line;
    }
    const node = document.createElement("article");
    node.className = "msg" + (item.ephemeral ? " ephemeral" : "") + (item.author.is_bot ? " from-bot" : "");
    node.setAttribute("data-message-id", item.id);
    node.setAttribute("data-ts", item.ts);
    node.setAttribute("aria-label", "Message from " + item.author.name);
    const initial = (item.author.name || "?").charAt(0).toUpperCase();
    node.innerHTML = '<div class="avatar' + (item.author.is_bot ? " avatar-bot" : "") + '" aria-hidden="true">' + B.esc(initial) + "</div>" +
      '<div class="msg-main"><div class="msg-head"><span class="author">' + B.esc(item.author.name) + "</span>" +
      (item.author.is_bot ? '<span class="badge">APP</span>' : "") + '<time class="muted">' + timeOf(item.time) + "</time>" +
      (item.edited ? '<span class="muted edited">(edited)</span>' : "") + "</div></div>";
    const main = node.querySelector(".msg-main");
    if (item.ephemeral) {
      main.insertAdjacentHTML("beforeend", '<div class="ephemeral-note"><span aria-hidden="true">👁</span> Only visible to you</div>');
    }
    const surface = { ids: { message_id: item.id }, root: function () { return document.querySelector('[data-message-id="' + item.id + '"] .msg-body'); } };
    const body = document.createElement("div");
    body.className = "msg-body";
    if (item.blocks && item.blocks.length) body.appendChild(B.render(item.blocks, context(surface, item.state)));
    else if (item.text) body.innerHTML = '<div class="msg-text">' + B.mrkdwn(item.text) + "</div>";
    main.appendChild(body);
    (item.attachments || []).forEach(function (att) { main.appendChild(attachmentNode(att)); });
    (item.files || []).forEach(function (file) { main.appendChild(fileNode(file)); });
    (item.warnings || []).forEach(function (warning) {
      main.insertAdjacentHTML("beforeend", '<div class="lint" role="note">⚠ <code>' + B.esc(warning) +
        "</code>: Slack accepted this, but notifications and screen readers get no <code>text</code> fallback.</div>");
    });
    main.appendChild(rawDetails("JSON", item.raw));
    if (replies && replies.length) main.appendChild(threadNode(item, replies));
    return node;
  }

  function threadNode(parent, replies) {
    const wrap = document.createElement("div");
    wrap.className = "thread";
    const toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "thread-toggle";
    const open = openThreads.has(parent.ts);
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = replies.length + (replies.length === 1 ? " reply" : " replies");
    const list = document.createElement("div");
    list.className = "thread-replies";
    list.hidden = !open;
    replies.forEach(function (reply) { list.appendChild(messageNode(reply)); });
    toggle.addEventListener("click", function () {
      list.hidden = !list.hidden;
      toggle.setAttribute("aria-expanded", String(!list.hidden));
      if (list.hidden) openThreads.delete(parent.ts); else openThreads.add(parent.ts);
    });
    wrap.appendChild(toggle);
    wrap.appendChild(list);
    return wrap;
  }

  function renderTimeline() {
    const channel = currentChannel();
    const root = $("timeline");
    const items = channel ? (doc.timelines[channel.id] || []) : [];
    const signature = JSON.stringify([seat.user, channel && channel.id, items]);
    if (signature === rendered.timeline) return;
    rendered.timeline = signature;
    const atBottom = root.scrollHeight - root.scrollTop - root.clientHeight < 80;
    const openMenus = rememberOpenMenus(root);
    root.innerHTML = "";
    const replies = {};
    items.forEach(function (item) {
      if (item.thread_ts && item.thread_ts !== item.ts) (replies[item.thread_ts] = replies[item.thread_ts] || []).push(item);
    });
    if (!items.length) {
      root.innerHTML = '<div class="empty">No messages yet. Try <code>/hilal help</code>.</div>';
    }
    items.forEach(function (item) {
      if (item.thread_ts && item.thread_ts !== item.ts && items.some(function (p) { return p.ts === item.thread_ts; })) return;
      root.appendChild(messageNode(item, replies[item.ts]));
    });
    if (atBottom || root.dataset.channel !== String(channel && channel.id)) root.scrollTop = root.scrollHeight;
    root.dataset.channel = String(channel && channel.id);
    reopenMenus(root, openMenus);
  }

  // Like Slack, a message arriving while a menu is open does not close it: re-rendering the timeline
  // reopens the overflow menus that were open, found again by message ts, block id and action id.
  function rememberOpenMenus(root) {
    return Array.from(root.querySelectorAll('.btn-overflow[aria-expanded="true"]')).map(function (button) {
      const message = button.closest("[data-ts]");
      return [message ? message.getAttribute("data-ts") : "", button.getAttribute("data-block-id"),
        button.getAttribute("data-action-id")];
    });
  }

  function reopenMenus(root, openMenus) {
    openMenus.forEach(function (key) {
      Array.from(root.querySelectorAll(".btn-overflow")).forEach(function (button) {
        const message = button.closest("[data-ts]");
        const same = (message ? message.getAttribute("data-ts") : "") === key[0] &&
          button.getAttribute("data-block-id") === key[1] && button.getAttribute("data-action-id") === key[2];
        if (same && button.getAttribute("aria-expanded") !== "true") button.click();
      });
    });
  }

  // home -------------------------------------------------------------------------------------------

  function renderHome() {
    const root = $("home");
    const home = doc.home;
    const signature = JSON.stringify([seat.user, home && home.id, home && home.hash]);
    if (signature === rendered.home) return;
    rendered.home = signature;
    root.innerHTML = "";
    if (!home) {
      root.innerHTML = '<div class="empty">' + (doc.app_configured ? "Waiting for hilal to publish its Home tab…" : "No app connected.") + "</div>";
      return;
    }
    const surface = { ids: { view_id: home.id }, root: function () { return $("home"); } };
    root.setAttribute("data-view-id", home.id);
    root.appendChild(B.render(home.blocks, context(surface, home.state && home.state.values)));
  }

  // modals -----------------------------------------------------------------------------------------

  function restore(root, values) {
    Object.keys(values || {}).forEach(function (blockId) {
      Object.keys(values[blockId]).forEach(function (actionId) {
        const node = root.querySelector('[data-stateful][data-block-id="' + CSS.escape(blockId) + '"][data-action-id="' + CSS.escape(actionId) + '"]');
        const raw = values[blockId][actionId];
        if (!node || raw === null || raw === undefined) return;
        if (node.tagName === "FIELDSET") {
          const wanted = Array.isArray(raw) ? raw : [raw];
          node.querySelectorAll("input").forEach(function (i) { i.checked = wanted.indexOf(i.value) >= 0; });
        } else if (node.tagName === "SELECT") {
          const wanted = (Array.isArray(raw) ? raw : [raw]).map(function (v) { return typeof v === "object" ? v.value : v; });
          Array.prototype.forEach.call(node.options, function (o) { o.selected = wanted.indexOf(o.value) >= 0; });
        } else if (typeof raw !== "object") {
          node.value = raw;
        }
      });
    });
  }

  function closeModal(view, all) {
    post("/console/close", { view_id: view.id, all: !!all });
  }

  function renderModal() {
    const root = $("modal-root");
    const stack = doc.modals || [];
    const view = stack[stack.length - 1];
    const signature = JSON.stringify([seat.user, view && view.id, view && view.hash, view && view.errors, stack.length]);
    if (signature === rendered.modal) return;
    const previous = root.querySelector(".modal-body");
    const keep = previous && view && previous.dataset.viewId === view.id ? B.collect(previous) : null;
    rendered.modal = signature;
    root.innerHTML = "";
    if (!view) return;
    const backdrop = document.createElement("div");
    backdrop.className = "modal-backdrop";
    const modal = document.createElement("div");
    modal.className = "modal";
    modal.setAttribute("role", "dialog");
    modal.setAttribute("aria-modal", "true");
    modal.setAttribute("aria-labelledby", "modal-title");
    modal.setAttribute("data-view-id", view.id);
    modal.setAttribute("data-callback-id", view.callback_id || "");
    modal.innerHTML = '<header class="modal-header">' + (stack.length > 1 ? '<button type="button" class="icon-btn modal-back" aria-label="Back">←</button>' : "") +
      '<h2 id="modal-title">' + B.plain(B.textOf(view.title)) + '</h2><button type="button" class="icon-btn modal-x" aria-label="Close">×</button></header>';
    const body = document.createElement("form");
    body.className = "modal-body";
    body.dataset.viewId = view.id;
    const surface = { ids: { view_id: view.id }, root: function () { return body; } };
    body.appendChild(B.render(view.blocks, context(surface, view.state && view.state.values, view.errors)));
    modal.appendChild(body);
    const footer = document.createElement("footer");
    footer.className = "modal-footer";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "btn";
    cancel.textContent = view.close ? B.textOf(view.close) : "Cancel";
    cancel.addEventListener("click", function () { closeModal(view, false); });
    footer.appendChild(cancel);
    if (view.submit) {
      const submit = document.createElement("button");
      submit.type = "submit";
      submit.className = "btn btn-primary";
      submit.textContent = B.textOf(view.submit);
      submit.setAttribute("form", "");
      submit.addEventListener("click", function (event) { event.preventDefault(); doSubmit(view, body, submit); });
      footer.appendChild(submit);
    }
    body.addEventListener("submit", function (event) { event.preventDefault(); });
    modal.appendChild(footer);
    modal.querySelector(".modal-x").addEventListener("click", function () { closeModal(view, true); });
    const back = modal.querySelector(".modal-back");
    if (back) back.addEventListener("click", function () { closeModal(view, false); });
    backdrop.appendChild(modal);
    root.appendChild(backdrop);
    if (keep) restore(body, keep);
    const first = body.querySelector("input, select, textarea");
    if (first && !keep) first.focus();
  }

  function doSubmit(view, body, button) {
    button.disabled = true;
    post("/console/submit", { view_id: view.id, values: B.collect(body) }).then(function () { button.disabled = false; });
  }

  function confirmDialog(confirm, run) {
    const root = document.createElement("div");
    root.className = "modal-backdrop confirm-backdrop";
    const style = confirm.style === "danger" ? "btn-danger" : "btn-primary";
    root.innerHTML = '<div class="modal confirm" role="alertdialog" aria-modal="true" aria-labelledby="confirm-title" aria-describedby="confirm-text">' +
      '<header class="modal-header"><h2 id="confirm-title">' + B.plain(B.textOf(confirm.title)) + "</h2></header>" +
      '<div class="modal-body" id="confirm-text">' + (confirm.text && confirm.text.type === "mrkdwn" ? B.mrkdwn(confirm.text.text) : B.plain(B.textOf(confirm.text))) + "</div>" +
      '<footer class="modal-footer"><button type="button" class="btn confirm-deny">' + B.esc(B.textOf(confirm.deny) || "Cancel") +
      '</button><button type="button" class="btn ' + style + ' confirm-ok">' + B.esc(B.textOf(confirm.confirm) || "Yes") + "</button></footer></div>";
    document.body.appendChild(root);
    root.querySelector(".confirm-deny").addEventListener("click", function () { root.remove(); });
    root.querySelector(".confirm-ok").addEventListener("click", function () { root.remove(); run(); });
    root.querySelector(".confirm-ok").focus();
  }

  // layout -----------------------------------------------------------------------------------------

  function render() {
    if (!doc || !doc.team) { $("main-title").textContent = "No workspace"; return; }
    if (seat.team !== doc.team.team_id || seat.user !== doc.me) {
      seat.team = doc.team.team_id;
      seat.user = doc.me;
    }
    if (!seat.app && !doc.channels.some(function (c) { return c.id === seat.channel && !c.is_im; })) {
      const first = doc.channels.find(function (c) { return !c.is_im && c.bot_is_member; }) || doc.channels[0];
      seat.channel = first ? first.id : null;
    }
    writeHash();
    const me = doc.users.find(function (u) { return u.id === doc.me; });
    B.setDirectory(doc.users, doc.channels, me && me.tz);
    renderSidebar();
    const channel = currentChannel();
    const home = seat.app && seat.tab === "home";
    $("tabs").hidden = !seat.app;
    $("tab-home").setAttribute("aria-selected", String(home));
    $("tab-messages").setAttribute("aria-selected", String(seat.app && !home));
    $("main-title").textContent = seat.app ? "hilal" : channelLabel(channel);
    $("main-subtitle").textContent = seat.app ? "App" : (channel && channel.topic) || (channel && !channel.bot_is_member ? "hilal is not a member of this channel" : "");
    $("home").hidden = !home;
    $("timeline").hidden = home;
    $("composer").hidden = home;
    const input = $("composer-input");
    const label = seat.app ? "Message hilal" : "Message " + channelLabel(channel).replace("# ", "#");
    input.setAttribute("aria-label", label);
    input.placeholder = label + " — try /hilal help";
    renderNotices();
    if (home) renderHome(); else renderTimeline();
    renderModal();
  }

  function openTab(tab) {
    seat.app = true;
    seat.tab = tab;
    writeHash();
    rendered.timeline = null;
    rendered.home = null;
    render();
    if (tab === "home") post("/console/home", {});
  }

  function bind() {
    $("user-select").addEventListener("change", function (event) { seat.user = event.target.value; writeHash(); restart(); if (seat.app && seat.tab === "home") post("/console/home", {}); });
    $("workspace-select").addEventListener("change", function (event) { seat.team = event.target.value; seat.user = null; seat.channel = null; restart(); });
    $("app-entry").addEventListener("click", function () { openTab("home"); });
    $("tab-home").addEventListener("click", function () { openTab("home"); });
    $("tab-messages").addEventListener("click", function () { openTab("messages"); });
    const input = $("composer-input");
    $("composer").addEventListener("submit", function (event) {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      const channel = currentChannel();
      input.value = "";
      post("/console/command", { channel: channel ? channel.id : doc.app_dm, text: text });
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("composer").requestSubmit(); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      const confirm = document.querySelector(".confirm-backdrop");
      if (confirm) { confirm.remove(); return; }
      const stack = doc && doc.modals;
      if (stack && stack.length) closeModal(stack[stack.length - 1], true);
    });
    document.addEventListener("click", function (event) {
      document.querySelectorAll(".menu:not([hidden])").forEach(function (menu) {
        if (!menu.parentElement.contains(event.target)) menu.hidden = true;
      });
    });
  }

  readHash();
  bind();
  poll();
  if (seat.app && seat.tab === "home") setTimeout(function () { post("/console/home", {}); }, 0);
})();
