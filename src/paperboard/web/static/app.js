// Paperboard's one script: card actions in place, and the keyboard. Everything it does also works
// without it (each action is a plain form that posts and comes back to the page); with it, an upvote,
// a save, a comment, For you feedback or a follow changes the page where it is and the scroll
// position stays.
// The forms carry their CSRF token; the server answers them in JSON when asked (Accept).
"use strict";

(() => {
  const said = () => document.getElementById("said");

  function say(text) {
    const line = said();
    if (!line || !text) return;
    line.textContent = text;
    line.hidden = false;
  }

  async function post(form, submitter) {
    const body = new FormData(form, submitter);
    const response = await fetch(form.action, {
      method: "POST", body, credentials: "same-origin", headers: { Accept: "application/json" },
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || `the server answered ${response.status}`);
    return data;
  }

  function hidden(form, name, value) {
    let input = form.querySelector(`input[type=hidden][name="${name}"]`);
    if (value === null) {
      if (input) input.remove();
      return;
    }
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.append(input);
    }
    input.value = value;
  }

  const update = {
    vote(form, data) {
      const button = form.querySelector("button");
      button.classList.toggle("voted", data.upvoted);
      button.setAttribute("aria-pressed", String(data.upvoted));
      button.title = data.upvoted ? "Take back your upvote" : "Upvote";
      button.querySelector(".count").textContent = String(data.upvotes);
      hidden(form, "undo", data.upvoted ? "1" : null);
    },
    save(form, data) {
      const button = form.querySelector("button");
      button.classList.toggle("saved", data.saved);
      button.setAttribute("aria-pressed", String(data.saved));
      button.textContent = data.saved ? "Saved" : "Save";
      button.title = data.saved ? "Saved in your library: take it out" : "Save to your library";
      hidden(form, "remove", data.saved ? "1" : null);
      say(data.message);
    },
    collect(form, data) {
      const button = form.querySelector("button");
      if (!button.textContent.startsWith("✓ ")) button.textContent = `✓ ${button.textContent}`;
      button.disabled = true;
      say(data.message);
    },
    comment(form, data) {
      // the new comment's own page fragment is fetched and put where it belongs: at the end of the
      // thread it answers, or of the list
      const list = form.closest(".thread") ? form.closest(".thread") : document.querySelector(".comments");
      const holder = document.createElement("div");
      holder.innerHTML = data.html;
      const added = holder.firstElementChild;
      if (form.closest(".thread")) {
        let replies = list.querySelector(".replies");
        if (!replies) {
          replies = document.createElement("div");
          replies.className = "replies";
          list.insertBefore(replies, list.querySelector("details.reply"));
        }
        replies.append(added);
        list.querySelector("details.reply").open = false;
      } else {
        const thread = document.createElement("div");
        thread.className = "thread";
        thread.append(added);
        list.insertBefore(thread, form);
      }
      form.reset();
      const heading = document.querySelector(".comments h2");
      if (heading && typeof data.count === "number") {
        heading.textContent = `${data.count} comment${data.count === 1 ? "" : "s"}`;
      }
      say(data.message);
    },
    // a card's "follow an author": the name is picked from a list, so the form stays as it was
    said(form, data) {
      say(data.message);
    },
    follow(form, data) {
      const button = form.querySelector("button");
      button.textContent = data.following ? "Following ✓ · unfollow" : "Follow";
      button.setAttribute("aria-pressed", String(data.following));
      hidden(form, "undo", data.following ? "1" : null);
      say(data.message);
    },
    feedback(form, data) {
      const pick = form.closest(".pick");
      if (!pick || !["not_interested", "less_like_this"].includes(data.signal)) {
        say(data.message);
        return;
      }
      // the card goes; a line with an undo takes its place until the page is left
      const kept = [...pick.childNodes];
      const line = document.createElement("p");
      line.className = "why gone";
      line.setAttribute("role", "status");
      line.textContent = `${data.message} `;
      const undo = document.createElement("button");
      undo.type = "button";
      undo.textContent = "Undo";
      undo.addEventListener("click", async () => {
        const back = form.cloneNode(true);
        hidden(back, "signal", "");
        try {
          await post(back, null);
          pick.replaceChildren(...kept);
        } catch (error) {
          say(error.message);
        }
      });
      line.append(undo);
      pick.replaceChildren(line);
      undo.focus();
    },
  };

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    const kind = form.dataset && form.dataset.inplace;
    if (!kind || !update[kind] || form.dataset.busy) return;
    event.preventDefault();
    form.dataset.busy = "1";
    try {
      update[kind](form, await post(form, event.submitter));
    } catch (error) {
      say(error.message);
    } finally {
      delete form.dataset.busy;
    }
  });

  // on a phone a feed's tools (dates, filter, export) fold away under their heading, one line
  if (window.matchMedia("(max-width: 40rem)").matches) {
    for (const tools of document.querySelectorAll("details.tools[open]")) tools.open = false;
  }

  // --- the keyboard: j / k between cards, u upvote, o open, ? the list ------------------------------
  const KEYS = [["j", "next paper"], ["k", "previous paper"], ["u", "upvote it (again: take it back)"],
                ["s", "save it to your library (again: take it out)"], ["o", "open it"],
                ["?", "show or hide this list"]];
  let current = -1;

  function cards() {
    return [...document.querySelectorAll("article.entry")];
  }

  function select(index) {
    const all = cards();
    if (!all.length) return;
    current = Math.max(0, Math.min(all.length - 1, index));
    all.forEach((card, i) => card.classList.toggle("current", i === current));
    all[current].scrollIntoView({ block: "nearest" });
  }

  function help() {
    let box = document.getElementById("keys");
    if (box) {
      box.hidden = !box.hidden;
      return;
    }
    box = document.createElement("aside");
    box.id = "keys";
    box.setAttribute("aria-label", "Keyboard shortcuts");
    const list = document.createElement("dl");
    for (const [key, what] of KEYS) {
      const dt = document.createElement("dt");
      dt.textContent = key;
      const dd = document.createElement("dd");
      dd.textContent = what;
      list.append(dt, dd);
    }
    box.append(list);
    document.body.append(box);
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    const card = cards()[current];
    switch (event.key) {
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "u": {
        const button = card && card.querySelector(".vote [data-inplace=vote] button");
        if (button) button.click();
        break;
      }
      case "s": {
        const button = card && card.querySelector(".save button");
        if (button) button.click();
        break;
      }
      case "o": {
        const link = card && card.querySelector("h2 a");
        if (link) link.click();
        break;
      }
      case "?": help(); break;
      default: return;
    }
    event.preventDefault();
  });
})();
