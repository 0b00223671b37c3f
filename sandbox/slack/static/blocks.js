/* A small Block Kit renderer for the Hilal console. No build step, no dependencies.
 *
 * HilalBlocks.render(blocks, ctx) -> DocumentFragment
 *   ctx.values   state.values of the surface ({block_id: {action_id: value}}), may be null
 *   ctx.errors   {block_id: message} (modal validation errors)
 *   ctx.onAction(detail)  called with {block_id, action_id, type, value, selected_options, element, confirm}
 *   ctx.users, ctx.channels  for user/conversation selects
 *   ctx.loadOptions(detail) -> Promise<{options, option_groups}> for external selects
 * HilalBlocks.collect(root) -> {block_id: {action_id: raw}} current values of stateful inputs
 * HilalBlocks.mrkdwn(text) / plain(text) -> HTML strings (escaped)
 */
(function () {
  "use strict";

  const EMOJI = {
    white_check_mark: "✅", heavy_check_mark: "✔️", x: "❌", warning: "⚠️", no_entry: "⛔",
    large_green_circle: "🟢", green_circle: "🟢", red_circle: "🔴", large_yellow_circle: "🟡",
    yellow_circle: "🟡", white_circle: "⚪", black_circle: "⚫", large_blue_circle: "🔵",
    hourglass: "⌛", hourglass_flowing_sand: "⏳", arrows_counterclockwise: "🔄", repeat: "🔁",
    link: "🔗", chart_with_upwards_trend: "📈", chart_with_downwards_trend: "📉", bar_chart: "📊",
    moneybag: "💰", money_with_wings: "💸", bell: "🔔", no_bell: "🔕", gear: "⚙️", mag: "🔍",
    tada: "🎉", rocket: "🚀", lock: "🔒", unlock: "🔓", zap: "⚡", calendar: "📅", date: "📅",
    clock9: "🕘", alarm_clock: "⏰", globe_with_meridians: "🌐", earth_americas: "🌎",
    earth_africa: "🌍", earth_asia: "🌏", bookmark: "🔖", label: "🏷️", memo: "📝", pushpin: "📌",
    information_source: "ℹ️", star: "⭐", fire: "🔥", eyes: "👀", wave: "👋", sparkles: "✨",
    package: "📦", shopping_trolley: "🛒", card_index_dividers: "🗂️", electric_plug: "🔌",
    heavy_plus_sign: "➕", heavy_minus_sign: "➖", pencil2: "✏️", wastebasket: "🗑️",
    arrow_right: "➡️", arrow_up: "⬆️", arrow_down: "⬇️", small_red_triangle: "🔺",
    small_red_triangle_down: "🔻", key: "🔑", hammer_and_wrench: "🛠️", thinking_face: "🤔",
    sleeping: "😴", crescent_moon: "🌙", sunny: "☀️", speech_balloon: "💬", envelope: "✉️",
    inbox_tray: "📥", outbox_tray: "📤", satellite: "📡", robot_face: "🤖", bust_in_silhouette: "👤",
    busts_in_silhouette: "👥", shield: "🛡️", stopwatch: "⏱️", coffee: "☕", question: "❓",
    exclamation: "❗", heavy_exclamation_mark: "❗", ok: "🆗", new: "🆕", dollar: "💵", euro: "💶",
    yen: "💴", pound: "💷", receipt: "🧾", broom: "🧹", construction: "🚧", checkered_flag: "🏁",
  };

  function esc(text) {
    return String(text == null ? "" : text)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  function unescapeSlack(text) {
    return String(text).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  function emoji(html) {
    return html.replace(/:([a-z0-9_+\-]+):/g, function (all, name) {
      const flag = /^flag-([a-z]{2})$/.exec(name);
      if (flag) {
        return String.fromCodePoint.apply(null, flag[1].toUpperCase().split("").map(function (c) {
          return 0x1f1e6 + c.charCodeAt(0) - 65;
        }));
      }
      return EMOJI[name] || all;
    });
  }

  let lookup = { users: {}, channels: {}, timeZone: undefined };

  function dateToken(target, fallback) {
    // <!date^epoch^{date_short_pretty} {time}^optional_link|fallback>, shown in the reader's time zone
    const parts = target.split("^");
    const epoch = Number(parts[1]);
    if (!parts[2] || !isFinite(epoch)) return esc(fallback || target);
    const when = new Date(epoch * 1000);
    const format = function (date, options) {
      try { return new Intl.DateTimeFormat("en-US", Object.assign({ timeZone: lookup.timeZone }, options)).format(date); }
      catch (e) { return new Intl.DateTimeFormat("en-US", options).format(date); }
    };
    const dayOf = function (date) {
      return format(date, { year: "numeric", month: "2-digit", day: "2-digit" }).replace(/(\d+)\/(\d+)\/(\d+)/, "$3-$1-$2");
    };
    const relative = function (plain) {
      const key = dayOf(when);
      const offset = function (days) { return dayOf(new Date(Date.now() + days * 864e5)); };
      if (key === offset(0)) return "today";
      if (key === offset(-1)) return "yesterday";
      if (key === offset(1)) return "tomorrow";
      return plain;
    };
    const tokens = {
      date_num: function () { return dayOf(when); },
      date: function () { return format(when, { month: "long", day: "numeric", year: "numeric" }); },
      date_short: function () { return format(when, { month: "short", day: "numeric", year: "numeric" }); },
      date_long: function () { return format(when, { weekday: "long", month: "long", day: "numeric", year: "numeric" }); },
      date_pretty: function () { return relative(tokens.date()); },
      date_short_pretty: function () { return relative(tokens.date_short()); },
      date_long_pretty: function () { return relative(tokens.date_long()); },
      time: function () { return format(when, { hour: "numeric", minute: "2-digit" }); },
      time_secs: function () { return format(when, { hour: "numeric", minute: "2-digit", second: "2-digit" }); },
    };
    const text = parts[2].replace(/\{(\w+)\}/g, function (all, name) { return tokens[name] ? tokens[name]() : all; });
    return '<time datetime="' + when.toISOString() + '" title="' + esc(fallback || "") + '">' + esc(text) + "</time>";
  }

  function link(token) {
    const inner = token.slice(1, -1);
    const bar = inner.indexOf("|");
    const target = bar >= 0 ? inner.slice(0, bar) : inner;
    const label = bar >= 0 ? inner.slice(bar + 1) : "";
    if (target.startsWith("@")) {
      const id = target.slice(1);
      return '<span class="mention">@' + esc(label || lookup.users[id] || id) + "</span>";
    }
    if (target.startsWith("#")) {
      const id = target.slice(1);
      return '<span class="mention">#' + esc(label || lookup.channels[id] || id) + "</span>";
    }
    if (target.startsWith("!")) {
      if (target.startsWith("!date")) return dateToken(target, label);
      const word = target.slice(1).split("^")[0];
      return '<span class="mention">@' + esc(label || word) + "</span>";
    }
    const href = unescapeSlack(target);
    const safe = /^(https?:|mailto:)/i.test(href) ? href : "#";
    return '<a href="' + esc(safe) + '" target="_blank" rel="noopener noreferrer">' +
      esc(label ? unescapeSlack(label) : href) + "</a>";
  }

  function inline(text) {
    // text is plain (already unescaped) and not yet HTML-escaped
    const codes = [];
    let html = esc(text).replace(/`([^`\n]+)`/g, function (all, code) {
      codes.push("<code>" + code + "</code>");
      return "\u0000" + (codes.length - 1) + "\u0000";
    });
    html = html
      .replace(/(^|[\s(>])\*([^*\n]+)\*(?=$|[\s).,:;!?<])/g, "$1<strong>$2</strong>")
      .replace(/(^|[\s(>])_([^_\n]+)_(?=$|[\s).,:;!?<])/g, "$1<em>$2</em>")
      .replace(/(^|[\s(>])~([^~\n]+)~(?=$|[\s).,:;!?<])/g, "$1<del>$2</del>");
    html = emoji(html);
    return html.replace(/\u0000(\d+)\u0000/g, function (all, i) { return codes[Number(i)]; });
  }

  function mrkdwn(source) {
    const text = String(source == null ? "" : source);
    const pre = [];
    const withoutPre = text.replace(/```([\s\S]*?)```/g, function (all, code) {
      pre.push("<pre>" + esc(unescapeSlack(code.replace(/^\n/, ""))) + "</pre>");
      return "\u0001" + (pre.length - 1) + "\u0001";
    });
    const lines = withoutPre.split("\n").map(function (line) {
      const quote = /^(&gt;|>)\s?(.*)$/.exec(line);
      const body = quote ? quote[2] : line;
      const parts = body.split(/(<[^<>\n]+>)/g).map(function (part) {
        return /^<[^<>\n]+>$/.test(part) ? link(part) : inline(unescapeSlack(part));
      });
      const joined = parts.join("");
      return quote ? '<span class="quote">' + joined + "</span>" : joined;
    });
    return lines.join("<br>").replace(/\u0001(\d+)\u0001/g, function (all, i) { return pre[Number(i)]; });
  }

  function plain(text, withEmoji) {
    const html = esc(text).replace(/\n/g, "<br>");
    return withEmoji === false ? html : emoji(html);
  }

  function textHtml(obj) {
    if (!obj) return "";
    if (typeof obj === "string") return plain(obj);
    return obj.type === "mrkdwn" ? mrkdwn(obj.text) : plain(obj.text, obj.emoji);
  }

  function textOf(obj) {
    if (!obj) return "";
    return typeof obj === "string" ? obj : String(obj.text || "");
  }

  // An uploaded file shown by a block: by url, or by id through the stand-in's /files/<id>/ route.
  function slackFileSrc(ref) {
    if (!ref) return "";
    return ref.url || (ref.id ? "/files/" + encodeURIComponent(ref.id) + "/" : "");
  }

  function el(tag, attrs, html) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      const value = attrs[key];
      if (value === undefined || value === null || value === false) return;
      if (key === "className") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : value);
    });
    if (html !== undefined) node.innerHTML = html;
    return node;
  }

  function options(element) {
    let all = (element.options || []).slice();
    (element.option_groups || []).forEach(function (group) { all = all.concat(group.options || []); });
    return all;
  }

  function current(ctx, blockId, element) {
    const values = ctx.values || {};
    const saved = values[blockId] && values[blockId][element.action_id];
    if (saved) return saved;
    return {
      value: element.initial_value,
      selected_option: element.initial_option,
      selected_options: element.initial_options,
      selected_user: element.initial_user,
      selected_users: element.initial_users,
      selected_conversation: element.initial_conversation || element.initial_channel,
      selected_conversations: element.initial_conversations || element.initial_channels,
      selected_channel: element.initial_channel,
      selected_channels: element.initial_channels,
      selected_date: element.initial_date,
      selected_time: element.initial_time,
      selected_date_time: element.initial_date_time,
    };
  }

  function fire(ctx, detail) {
    if (!ctx.onAction) return;
    const run = function () { ctx.onAction(detail); };
    if (detail.element && detail.element.confirm && ctx.confirm) ctx.confirm(detail.element.confirm, run);
    else run();
  }

  function stateAttrs(blockId, element, extra) {
    return Object.assign({
      "data-block-id": blockId,
      "data-action-id": element.action_id,
      "data-element-type": element.type,
      "data-stateful": "true",
    }, extra || {});
  }

  function renderButton(blockId, element, ctx) {
    const style = element.style ? " btn-" + element.style : "";
    const label = textOf(element.text);
    const node = el("button", {
      type: "button",
      className: "btn" + style + (element.url ? " btn-link" : ""),
      "data-block-id": blockId,
      "data-action-id": element.action_id,
      "data-element-type": element.type,
      "data-url": element.url,
      "aria-label": element.accessibility_label,
      title: element.url ? element.url : undefined,
    }, textHtml(element.text) + (element.url ? ' <span class="ext" aria-hidden="true">↗</span>' : ""));
    node.addEventListener("click", function () {
      const go = function () {
        if (element.url) window.open(element.url, "_blank", "noopener");
        if (ctx.onAction) ctx.onAction({ block_id: blockId, action_id: element.action_id, type: element.type, label: label });
      };
      if (element.confirm && ctx.confirm) ctx.confirm(element.confirm, go);
      else go();
    });
    return node;
  }

  function renderChoices(blockId, element, ctx, kind) {
    const state = current(ctx, blockId, element);
    const chosen = (kind === "checkbox" ? state.selected_options || [] : [state.selected_option].filter(Boolean))
      .map(function (o) { return o.value; });
    const group = el("fieldset", stateAttrs(blockId, element, {
      className: "choices", role: kind === "checkbox" ? "group" : "radiogroup", "aria-label": ctx.groupLabel,
    }));
    const name = "r-" + blockId + "-" + element.action_id + "-" + Math.random().toString(36).slice(2, 7);
    (element.options || []).forEach(function (option) {
      const label = el("label", { className: "choice" });
      const input = el("input", {
        type: kind, name: name, value: option.value,
        checked: chosen.indexOf(option.value) >= 0,
      });
      label.appendChild(input);
      const text = el("span", { className: "choice-text" }, textHtml(option.text));
      if (option.description) text.appendChild(el("small", {}, textHtml(option.description)));
      label.appendChild(text);
      input.addEventListener("change", function () {
        const values = Array.prototype.slice.call(group.querySelectorAll("input:checked")).map(function (i) { return i.value; });
        if (ctx.dispatch === false) return;
        const detail = { block_id: blockId, action_id: element.action_id, type: element.type, element: element };
        if (kind === "checkbox") detail.selected_options = values;
        else detail.value = values[0] || null;
        fire(ctx, detail);
      });
      group.appendChild(label);
    });
    return group;
  }

  function optionNode(option, chosen) {
    return el("option", { value: option.value, selected: chosen.indexOf(option.value) >= 0 }, esc(textOf(option.text)));
  }

  function fillSelect(select, element, chosen, extra) {
    const list = (extra || []).slice();
    if (element.option_groups) {
      element.option_groups.forEach(function (group) {
        const node = el("optgroup", { label: textOf(group.label) });
        (group.options || []).forEach(function (o) { node.appendChild(optionNode(o, chosen)); });
        select.appendChild(node);
      });
    }
    (element.options || []).concat(list).forEach(function (o) { select.appendChild(optionNode(o, chosen)); });
  }

  function pickerOptions(element, ctx) {
    const base = element.type.replace(/^multi_/, "");
    if (base === "users_select") {
      return (ctx.users || []).map(function (u) { return { text: { text: u.real_name || u.name }, value: u.id }; });
    }
    if (base === "conversations_select" || base === "channels_select") {
      return (ctx.channels || []).filter(function (c) { return !c.is_im; })
        .map(function (c) { return { text: { text: "#" + c.name }, value: c.id }; });
    }
    return [];
  }

  function chosenValues(element, state) {
    const multi = element.type.indexOf("multi_") === 0;
    const base = element.type.replace(/^multi_/, "");
    if (base === "static_select" || base === "external_select") {
      return multi ? (state.selected_options || []).map(function (o) { return o.value; })
        : [state.selected_option && state.selected_option.value].filter(Boolean);
    }
    const key = { users_select: "selected_user", conversations_select: "selected_conversation", channels_select: "selected_channel" }[base];
    const value = multi ? state[key + "s"] : state[key];
    return (multi ? value || [] : [value]).filter(Boolean);
  }

  function renderSelect(blockId, element, ctx) {
    const multi = element.type.indexOf("multi_") === 0;
    const state = current(ctx, blockId, element);
    const chosen = chosenValues(element, state);
    const placeholder = textOf(element.placeholder) || (multi ? "Select options" : "Select an item");
    const select = el("select", stateAttrs(blockId, element, {
      className: "select" + (multi ? " multi" : ""), multiple: multi, "aria-label": ctx.labelled ? null : placeholder,
    }));
    if (!multi) select.appendChild(el("option", { value: "", disabled: true, selected: chosen.length === 0 }, esc(placeholder)));
    const external = element.type.indexOf("external_select") >= 0;
    const known = external ? [state.selected_option].concat(state.selected_options || []).filter(Boolean) : pickerOptions(element, ctx);
    fillSelect(select, element, chosen, known);
    if (multi) select.size = Math.min(Math.max(select.options.length + select.querySelectorAll("optgroup").length, 2), 8);
    if (external && ctx.loadOptions) {
      let loaded = false;
      select.addEventListener("focus", function () {
        if (loaded) return;
        loaded = true;
        ctx.loadOptions({ block_id: blockId, action_id: element.action_id, value: "" }).then(function (answer) {
          const keep = Array.prototype.slice.call(select.selectedOptions).map(function (o) { return o.value; });
          (answer.options || []).forEach(function (o) {
            if (!select.querySelector('option[value="' + CSS.escape(o.value) + '"]')) select.appendChild(optionNode(o, keep));
          });
          (answer.option_groups || []).forEach(function (g) {
            const node = el("optgroup", { label: textOf(g.label) });
            (g.options || []).forEach(function (o) { node.appendChild(optionNode(o, keep)); });
            select.appendChild(node);
          });
        });
      });
    }
    select.addEventListener("change", function () {
      if (ctx.dispatch === false) return;
      const values = Array.prototype.slice.call(select.selectedOptions).map(function (o) { return o.value; });
      const detail = { block_id: blockId, action_id: element.action_id, type: element.type, element: element };
      if (multi) detail.selected_options = values;
      else detail.value = external ? { text: { type: "plain_text", text: select.selectedOptions[0].textContent }, value: values[0] } : values[0];
      fire(ctx, detail);
    });
    return select;
  }

  function renderOverflow(blockId, element, ctx) {
    const wrap = el("div", { className: "overflow" });
    const button = el("button", {
      type: "button", className: "btn btn-overflow", "aria-label": "More actions", "aria-haspopup": "menu",
      "aria-expanded": "false", "data-block-id": blockId, "data-action-id": element.action_id, "data-element-type": "overflow",
    }, "⋯");
    const menu = el("div", { className: "menu", role: "menu", hidden: true });
    (element.options || []).forEach(function (option) {
      const item = el("button", { type: "button", role: "menuitem", className: "menu-item", "data-value": option.value }, esc(textOf(option.text)));
      item.addEventListener("click", function () {
        menu.hidden = true;
        button.setAttribute("aria-expanded", "false");
        if (option.url) window.open(option.url, "_blank", "noopener");
        fire(ctx, { block_id: blockId, action_id: element.action_id, type: "overflow", value: option.value, element: element });
      });
      menu.appendChild(item);
    });
    button.addEventListener("click", function () {
      menu.hidden = !menu.hidden;
      button.setAttribute("aria-expanded", String(!menu.hidden));
    });
    wrap.appendChild(button);
    wrap.appendChild(menu);
    return wrap;
  }

  const INPUT_TYPES = {
    plain_text_input: "text", email_text_input: "email", url_text_input: "url", number_input: "number",
    datepicker: "date", timepicker: "time", datetimepicker: "datetime-local",
  };

  function isoLocal(epoch) {
    if (!epoch) return "";
    const d = new Date(epoch * 1000);
    const pad = function (n) { return String(n).padStart(2, "0"); };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function renderInput(blockId, element, ctx, label) {
    const state = current(ctx, blockId, element);
    const kind = INPUT_TYPES[element.type] || "text";
    const value = { datepicker: state.selected_date, timepicker: state.selected_time, datetimepicker: isoLocal(state.selected_date_time) }[element.type];
    const attrs = stateAttrs(blockId, element, {
      className: "input", placeholder: textOf(element.placeholder),
      "aria-label": ctx.labelled ? null : (label || textOf(element.placeholder) || element.action_id),
      maxlength: element.max_length, minlength: element.min_length,
    });
    let node;
    if (element.multiline) node = el("textarea", Object.assign(attrs, { rows: 4 }));
    else node = el("input", Object.assign(attrs, { type: kind }));
    node.value = value !== undefined ? (value || "") : (state.value || "");
    const dispatchable = element.type in { datepicker: 1, timepicker: 1, datetimepicker: 1 } ? ctx.dispatch !== false : ctx.dispatchInputs;
    if (dispatchable) {
      node.addEventListener("change", function () {
        fire(ctx, { block_id: blockId, action_id: element.action_id, type: element.type, value: readOne(node) });
      });
    }
    return node;
  }

  function renderElement(blockId, element, ctx, label) {
    switch (element.type) {
      case "button": case "workflow_button": return renderButton(blockId, element, ctx);
      case "checkboxes": return renderChoices(blockId, element, ctx, "checkbox");
      case "radio_buttons": return renderChoices(blockId, element, ctx, "radio");
      case "overflow": return renderOverflow(blockId, element, ctx);
      case "image": return el("img", { className: "accessory-image", src: element.image_url, alt: element.alt_text });
      default:
        if (/select$/.test(element.type)) return renderSelect(blockId, element, ctx);
        if (element.type in INPUT_TYPES) return renderInput(blockId, element, ctx, label);
        return el("span", { className: "unsupported" }, "Unsupported element: " + esc(element.type));
    }
  }

  function renderSection(block, ctx) {
    const node = el("div", { className: "section" });
    const body = el("div", { className: "section-body" });
    if (block.text) body.appendChild(el("div", { className: "section-text" }, textHtml(block.text)));
    if (block.fields) {
      const grid = el("div", { className: "fields" });
      block.fields.forEach(function (field) { grid.appendChild(el("div", { className: "field" }, textHtml(field))); });
      body.appendChild(grid);
    }
    node.appendChild(body);
    if (block.accessory) {
      const acc = el("div", { className: "accessory" });
      const accCtx = Object.assign({}, ctx, { groupLabel: textOf(block.text) });
      acc.appendChild(renderElement(block.block_id, block.accessory, accCtx, textOf(block.text)));
      node.appendChild(acc);
    }
    return node;
  }

  function renderInputBlock(block, ctx) {
    const node = el("div", { className: "input-block" });
    const id = "in-" + block.block_id + "-" + Math.random().toString(36).slice(2, 7);
    const label = el("label", { className: "input-label", for: id }, plain(textOf(block.label)));
    if (block.optional) label.appendChild(el("span", { className: "optional" }, " (optional)"));
    node.appendChild(label);
    const inner = Object.assign({}, ctx, {
      dispatch: !!block.dispatch_action, dispatchInputs: !!block.dispatch_action, labelled: true, groupLabel: textOf(block.label),
    });
    const element = renderElement(block.block_id, block.element, inner, textOf(block.label));
    element.id = id;
    node.appendChild(element);
    if (block.hint) node.appendChild(el("div", { className: "hint" }, plain(textOf(block.hint))));
    const error = ctx.errors && ctx.errors[block.block_id];
    if (error) {
      node.classList.add("has-error");
      node.appendChild(el("div", { className: "field-error", role: "alert" }, esc(error)));
    }
    return node;
  }

  function renderRichText(block) {
    const parts = [];
    (function walk(items) {
      (items || []).forEach(function (item) {
        if (item.type === "text") parts.push(esc(item.text));
        else if (item.type === "link") parts.push(link("<" + item.url + "|" + (item.text || item.url) + ">"));
        else if (item.type === "emoji") parts.push(emoji(":" + item.name + ":"));
        else if (item.type === "user") parts.push('<span class="mention">@' + esc(lookup.users[item.user_id] || item.user_id) + "</span>");
        else if (item.elements) { walk(item.elements); if (item.type !== "rich_text_section") parts.push("<br>"); }
      });
    })(block.elements);
    return el("div", { className: "rich-text" }, parts.join("").replace(/\n/g, "<br>"));
  }

  function renderBlock(block, ctx) {
    let inner;
    switch (block.type) {
      case "section": inner = renderSection(block, ctx); break;
      case "header": inner = el("h3", { className: "header" }, plain(textOf(block.text))); break;
      case "divider": inner = el("hr", { className: "divider" }); break;
      case "context":
        inner = el("div", { className: "context" });
        (block.elements || []).forEach(function (item) {
          if (item.type === "image") inner.appendChild(el("img", { src: item.image_url, alt: item.alt_text, className: "context-image" }));
          else inner.appendChild(el("span", { className: "context-text" }, textHtml(item)));
        });
        break;
      case "image":
        inner = el("figure", { className: "image-block" });
        if (block.title) inner.appendChild(el("figcaption", {}, plain(textOf(block.title))));
        inner.appendChild(el("img", { src: block.image_url || slackFileSrc(block.slack_file), alt: block.alt_text }));
        break;
      case "actions":
        inner = el("div", { className: "actions", role: "group" });
        (block.elements || []).forEach(function (element) { inner.appendChild(renderElement(block.block_id, element, ctx)); });
        break;
      case "input": inner = renderInputBlock(block, ctx); break;
      case "markdown": inner = el("div", { className: "markdown" }, mrkdwn(String(block.text || "").replace(/\*\*/g, "*"))); break;
      case "rich_text": inner = renderRichText(block); break;
      default: inner = el("div", { className: "unsupported" }, "Unsupported block: " + esc(block.type));
    }
    const wrap = el("div", { className: "block block-" + block.type, "data-block-id": block.block_id, "data-block-type": block.type });
    wrap.appendChild(inner);
    return wrap;
  }

  function setDirectory(users, channels, timeZone) {
    lookup = {
      users: Object.fromEntries((users || []).map(function (u) { return [u.id, u.real_name || u.name]; })),
      channels: Object.fromEntries((channels || []).map(function (c) { return [c.id, c.name]; })),
      timeZone: timeZone || lookup.timeZone,
    };
  }

  function render(blocks, ctx) {
    ctx = ctx || {};
    if (ctx.users || ctx.channels) setDirectory(ctx.users, ctx.channels);
    const fragment = document.createDocumentFragment();
    (blocks || []).forEach(function (block) { fragment.appendChild(renderBlock(block, ctx)); });
    return fragment;
  }

  function readOne(node) {
    const type = node.getAttribute("data-element-type");
    if (node.tagName === "FIELDSET") {
      const checked = Array.prototype.slice.call(node.querySelectorAll("input:checked")).map(function (i) { return i.value; });
      return type === "checkboxes" ? checked : (checked[0] || null);
    }
    if (node.tagName === "SELECT") {
      const values = Array.prototype.slice.call(node.selectedOptions).map(function (o) { return o.value; }).filter(Boolean);
      if (node.multiple) return values;
      if (type.indexOf("external_select") >= 0 && values.length) {
        return { text: { type: "plain_text", text: node.selectedOptions[0].textContent }, value: values[0] };
      }
      return values[0] || null;
    }
    if (type === "datetimepicker") return node.value ? Math.floor(new Date(node.value).getTime() / 1000) : null;
    return node.value || null;
  }

  function collect(root) {
    const values = {};
    root.querySelectorAll("[data-stateful]").forEach(function (node) {
      const blockId = node.getAttribute("data-block-id");
      const actionId = node.getAttribute("data-action-id");
      if (!blockId || !actionId) return;
      values[blockId] = values[blockId] || {};
      values[blockId][actionId] = readOne(node);
    });
    return values;
  }

  window.HilalBlocks = {
    render: render, collect: collect, mrkdwn: mrkdwn, plain: plain, textOf: textOf, esc: esc, setDirectory: setDirectory,
  };
})();
