"use strict";
// rollup-serve's explorer: the chain's heights, the latest blocks, a block's txs and receipts,
// and an account with the root and height it is read under, from the JSON-RPC methods
// (man rollup-serve) POSTed to the origin that served the page. What the server answers goes into
// the page as text (text nodes, textContent), never as HTML: a block's fields are whatever its
// sequencer signed.
//
// The view is chosen by the address: #block=H, #account=0x… (or the same as a query, ?block=H).

const BLOCKS_LISTED = 20;
const REFRESH_MS = 5000;
// An Ed25519 key (32 bytes) or an ECgFp5 key (40 bytes), whichever the rollup's scheme.
const KEY_PATTERN = /^0x(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{80})$/;
const HEIGHT_PATTERN = /^[0-9]{1,15}$/;  // below 2^53: exact as a JavaScript number
const INVALID_REQUEST = -32600;
const NOT_FOUND = -32001;

// ---- asking the server ----------------------------------------------------------------------
// A refresh is two requests: rollup_status, then one JSON-RPC batch of everything the page shows
// at those heights. Few requests keep few connections open: each one the server keeps alive
// holds one of its worker threads.

/** No usable answer (code null), or a JSON-RPC error other than "not found" (its code). */
class RpcError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

async function post(body, what) {
  let response;
  try {
    // "." is the page's own path: POST / when served at /, and right behind a proxy's prefix.
    response = await fetch(".", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify(body),
      cache: "no-store",
    });
  } catch (e) {
    throw new RpcError(null, `the server does not answer (${e.message}): is rollup-serve running?`);
  }
  if (!response.ok)
    throw new RpcError(null, `the server answered ${what} with HTTP ${response.status}`);
  try {
    return await response.json();
  } catch (e) {
    throw new RpcError(null, `the server's answer to ${what} is not JSON`);
  }
}

/** The result of one answer; {missing: why} where the server has none (error -32001). */
function settle(method, answer) {
  if (!answer || typeof answer !== "object")
    throw new RpcError(null, `the server did not answer ${method}`);
  if (answer.error) {
    const message = `${answer.error.message} (${method}: error ${answer.error.code})`;
    if (answer.error.code === NOT_FOUND) return {missing: message};
    throw new RpcError(answer.error.code, message);
  }
  if (!("result" in answer))
    throw new RpcError(null, `the server's answer to ${method} is not a JSON-RPC answer`);
  return answer.result;
}

let nextId = 1;
async function rpc(method, params = []) {
  const id = nextId++;
  const answer = await post({jsonrpc: "2.0", id, method, params}, method);
  if (Array.isArray(answer) || (answer && answer.id !== id && !answer.error))
    throw new RpcError(null, `the server's answer to ${method} is not the answer to it`);
  return settle(method, answer);
}

/** calls: [[method, params], …]; their results in order (settle's), as one batch. */
async function rpcAll(calls) {
  if (calls.length === 0) return [];
  const first = nextId;
  nextId += calls.length;
  const answer = await post(
    calls.map(([method, params], i) => ({jsonrpc: "2.0", id: first + i, method, params})),
    `a batch of ${calls.length} requests`);
  if (!Array.isArray(answer)) {
    // A server started with a smaller --max-batch refuses the batch whole: one at a time then.
    if (answer && answer.error && answer.error.code === INVALID_REQUEST) {
      const results = [];
      for (const [method, params] of calls) results.push(await rpc(method, params));
      return results;
    }
    settle("a batch", answer);
    throw new RpcError(null, "the server's answer to a batch is not a list of answers");
  }
  const byId = new Map(answer.filter((a) => a && typeof a === "object").map((a) => [a.id, a]));
  return calls.map(([method], i) => settle(method, byId.get(first + i)));
}

// ---- building the page: text only ----------------------------------------------------------

/** An element with attributes and children; a child that is not a node becomes a text node. */
function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    node.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function blockLink(height) {
  return HEIGHT_PATTERN.test(String(height))
    ? el("a", {href: `#block=${height}`, "data-block": height}, height)
    : String(height);
}
function accountLink(key) {
  // Only a well-formed key becomes a link; anything else is shown as the text it is.
  return KEY_PATTERN.test(String(key))
    ? el("a", {href: `#account=${key}`, class: "hex"}, key)
    : el("span", {class: "hex"}, String(key));
}
function hex(value) { return el("span", {class: "hex", title: value}, value); }
function statusBadge(status) { return el("span", {class: `badge status-${status}`}, status); }
function utc(ms) {
  const date = new Date(Number(ms));
  return Number.isFinite(date.getTime()) ? date.toISOString().replace("T", " ").replace(/\.\d+Z$/, "") : String(ms);
}
function fields(rows) {
  return el("dl", {class: "fields"},
    rows.filter(Boolean).map(([name, value, id]) => [el("dt", {}, name), el("dd", {id}, value)]));
}
function table(heads, rows, id, empty) {
  const body = rows.length
    ? rows
    : [el("tr", {}, el("td", {colspan: heads.length, class: "empty"}, empty))];
  // A head given as [text, "num"] heads a column of numbers (aligned right).
  const th = (head) => Array.isArray(head) ? el("th", {class: head[1]}, head[0]) : el("th", {}, head);
  return el("table", {id}, el("thead", {}, el("tr", {}, heads.map(th))),
    el("tbody", {}, body));
}
function note(text, kind = "note") { return el("p", {class: kind}, text); }

// ---- the chain ------------------------------------------------------------------------------

function renderStatus(status) {
  for (const name of ["sequenced", "committed", "executed", "proven", "verified", "chain_id",
                      "namespace", "mempool", "deposits_pending"])
    document.getElementById(`status-${name}`).textContent = String(status[name]);
  document.getElementById("status-verified_root").textContent =
    status.verified_root === null ? "none yet (no block verified)" : status.verified_root;
  const frozen = document.getElementById("status-frozen");
  frozen.textContent = status.frozen
    ? `FROZEN: ${status.frozen_reason || "no reason given"}`
    : status.dev_mode ? "taking blocks (dev mode)" : "taking blocks";
  frozen.className = status.frozen ? "error" : "";
  document.getElementById("status-updated").textContent = utc(Date.now());
}

/** A view is a plan: the calls it needs, and what it makes of their results. */
function latestBlocksPlan(status) {
  const heights = [];
  for (let h = Number(status.committed); h >= 1 && heights.length < BLOCKS_LISTED; --h) heights.push(h);
  return {
    calls: heights.map((h) => ["rollup_getBlock", [h]]),
    render(blocks) {
      const rows = blocks.map((block, i) => block.missing
        ? el("tr", {}, el("td", {}, blockLink(heights[i])), el("td", {colspan: 5, class: "error"}, block.missing))
        : el("tr", {id: `block-row-${block.height}`},
            el("td", {}, blockLink(block.height)),
            el("td", {}, statusBadge(block.status)),
            el("td", {class: "num"}, block.tx_count),
            el("td", {class: "num"}, block.deposit_count),
            el("td", {}, utc(block.timestamp)),
            el("td", {}, hex(block.hash))));
      if (!rows.length)
        rows.push(el("tr", {}, el("td", {colspan: 6, class: "empty"}, "no block committed yet")));
      document.getElementById("blocks-body").replaceChildren(...rows);
    },
  };
}

// ---- a block --------------------------------------------------------------------------------

function blockPlan(text, status) {
  if (!HEIGHT_PATTERN.test(text) || Number(text) < 1) {
    return {title: "Block", calls: [], render: () =>
      [el("h2", {}, "Block"), note(`"${text}" is not a block height (1, 2, 3, …)`, "error")]};
  }
  const height = Number(text);
  return {
    title: `Block ${height}`,
    calls: [["rollup_getBlock", [height, true]], ["rollup_getReceipts", [height]]],
    render: ([block, exec]) => blockView(height, block, exec, status),
  };
}

function blockView(height, block, exec, status) {
  const heading = el("h2", {}, `Block ${height}`,
    height > 1 && height - 1 <= status.committed
      ? el("a", {href: `#block=${height - 1}`, class: "step"}, "← previous") : null,
    height < status.committed ? el("a", {href: `#block=${height + 1}`, class: "step"}, "next →") : null);
  if (block.missing) return [heading, note(block.missing, "error")];
  const body = block.block;
  const executed = !exec.missing;
  const receipts = executed ? exec.receipts : [];

  const out = [heading, fields([
    ["status", statusBadge(block.status), "block-status"],
    ["hash", hex(block.hash), "block-hash"],
    ["parent", hex(block.parent)],
    ["contract record", hex(block.record)],
    ["time (UTC)", utc(block.timestamp)],
    ["sequencer", accountLink(block.sequencer)],
    body.fee_recipient ? ["fee recipient", accountLink(body.fee_recipient)] : null,
    ["state root before", executed ? hex(exec.pre_root) : "not executed yet", "block-pre-root"],
    ["state root after", executed ? hex(exec.post_root) : "not executed yet", "block-post-root"],
    executed ? ["accounts after", exec.accounts] : null,
  ])];
  if (!executed)
    out.push(note(`No receipts yet: ${exec.missing}. The executor has not reached this block.`));

  // Receipts are in the order the block was applied: its deposits, then this rollup's txs.
  const depositReceipts = new Map(receipts.filter((r) => r.type === "deposit").map((r) => [r.index, r]));
  const txReceipts = receipts.filter((r) => r.type !== "deposit");
  const receiptCell = (receipt, pending) => receipt
    ? el("td", {class: receipt.status === "ok" ? "ok" : "error"},
        receipt.status, receipt.reason ? `: ${receipt.reason}` : null)
    : el("td", {class: "empty"}, pending);

  out.push(el("h3", {}, `Transactions (${block.tx_count})`));
  const txRows = [];
  let position = 0, own = 0;
  for (const namespace of body.namespaces || []) {
    const ours = namespace.id === status.namespace;
    for (const tx of namespace.txs || []) {
      const id = block.txs[position++];
      let receipt = null;
      if (ours && executed) {
        receipt = txReceipts[own++] || null;
        // A receipt names its tx: one that does not is not this tx's, whatever its position.
        if (receipt && receipt.tx !== id) receipt = {status: "?", reason: `receipt of ${receipt.tx}`};
      }
      txRows.push(el("tr", {class: "tx", "data-tx": id},
        el("td", {class: "num"}, position - 1),
        el("td", {}, hex(id)),
        el("td", {}, tx.type),
        el("td", {}, accountLink(tx.from)),
        el("td", {}, tx.to === undefined ? "L1 (the sender's key)" : accountLink(tx.to)),
        el("td", {class: "num"}, tx.amount),
        el("td", {class: "num"}, tx.fee),
        el("td", {class: "num"}, tx.nonce),
        receiptCell(receipt, ours ? "not executed yet" : `namespace ${namespace.id}: another rollup's`)));
    }
  }
  out.push(table([["#", "num"], "tx id", "type", "from", "to", ["amount", "num"], ["fee", "num"], ["nonce", "num"], "receipt"], txRows,
    "block-txs", "no txs"));

  // A shared sequencer's block (version 2) lists deposits per namespace: this rollup's are its own.
  const ownNamespace = (body.namespaces || []).find((namespace) => namespace.id === status.namespace);
  const deposits = body.deposits || (ownNamespace && ownNamespace.deposits) || [];
  out.push(el("h3", {}, `Deposits (${deposits.length})`));
  out.push(table([["queue index", "num"], "from (L1)", "to", ["amount", "num"], "receipt"], deposits.map((d) =>
    el("tr", {class: "deposit"},
      el("td", {class: "num"}, d.index),
      el("td", {}, hex(d.from)),
      el("td", {}, accountLink(d.to)),
      el("td", {class: "num"}, d.amount),
      receiptCell(depositReceipts.get(d.index), "not executed yet"))), "block-deposits", "no deposits"));

  if (executed) {
    out.push(el("h3", {}, `Withdrawals (${exec.withdrawals.length})`));
    out.push(table(["to (L1)", ["amount", "num"]], exec.withdrawals.map((w) =>
      el("tr", {}, el("td", {}, hex(w.to)), el("td", {class: "num"}, w.amount))),
      "block-withdrawals", "no withdrawals"));
  }
  return out;
}

// ---- an account -----------------------------------------------------------------------------

function accountPlan(key, status) {
  if (!KEY_PATTERN.test(key)) {
    return {title: "Account", calls: [], render: () =>
      [el("h2", {}, "Account"), note(`"${key}" is not a public key (0x and 64 hex digits, or 80 for an ecgfp5 rollup)`, "error")]};
  }
  const calls = [["rollup_getProof", [key, "latest"]]];
  if (status.verified > 0) calls.push(["rollup_getAccount", [key, "verified"]]);
  return {
    title: `Account ${key.slice(0, 10)}…`,
    calls,
    render: ([latest, verified = {missing: "no block is verified yet"}]) =>
      accountView(key, latest, verified, status),
  };
}

function accountView(key, latest, verified, status) {
  const out = [el("h2", {}, "Account"), el("p", {}, hex(key))];
  const underVerifiedRoot = (answer) =>
    answer.root === status.verified_root && answer.height === status.verified;
  const row = (tag, answer) => answer.missing
    ? el("tr", {class: "account", "data-at": tag},
        el("th", {}, tag), el("td", {colspan: 6, class: "error"}, answer.missing))
    : el("tr", {class: "account", "data-at": tag},
        el("th", {}, tag),
        el("td", {class: "num balance"}, answer.balance),
        el("td", {class: "num"}, answer.nonce),
        el("td", {class: "num"}, answer.index),
        el("td", {}, blockLink(answer.height)),
        el("td", {}, hex(answer.root)),
        underVerifiedRoot(answer)
          ? el("td", {class: "ok"}, "yes: the contract's verified root")
          : el("td", {}, `no: the verified root is at height ${status.verified}`));
  out.push(table(["state", ["balance", "num"], ["nonce", "num"], ["leaf index", "num"], "height", "state root", "verified?"],
    [row("latest", latest), row("verified", verified)], "account-answers"));
  out.push(note("latest: the executor's last block; verified: the last block whose proof the " +
    "contract accepted. An answer is the account as of its height, under its state root."));
  if (!latest.missing) {
    out.push(el("details", {},
      el("summary", {}, `Merkle proof under ${latest.root} (leaf and ${latest.siblings.length} siblings, leaf level first)`),
      note("Not checked by this page: check it against the root yourself, or trust the server."),
      fields([["leaf", hex(latest.leaf)]]),
      el("ol", {start: 0, class: "siblings"}, latest.siblings.map((s) => el("li", {}, hex(s))))));
  }
  return out;
}

// ---- the address, refreshing, errors --------------------------------------------------------

function requestedView() {
  const params = new URLSearchParams(location.hash.slice(1) || location.search.slice(1));
  if (params.has("block")) return {kind: "block", text: params.get("block")};
  if (params.has("account")) return {kind: "account", text: params.get("account")};
  return {kind: "none"};
}

function viewPlan(status) {
  const view = requestedView();
  if (view.kind === "block") return {kind: view.kind, ...blockPlan(view.text.trim(), status)};
  if (view.kind === "account") return {kind: view.kind, ...accountPlan(view.text.trim(), status)};
  return {kind: view.kind, title: null, calls: [], render: () => []};
}

function showError(message) {
  const banner = document.getElementById("error");
  banner.textContent = message;
  banner.hidden = !message;
}

// One refresh at a time; a request for another while one runs makes one more run after it.
let refreshing = null, again = false;
async function refresh() {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      again = false;
      try {
        const status = await rpc("rollup_status");
        const blocks = latestBlocksPlan(status), view = viewPlan(status);
        const results = await rpcAll([...blocks.calls, ...view.calls]);
        renderStatus(status);
        blocks.render(results.slice(0, blocks.calls.length));
        const content = view.render(results.slice(blocks.calls.length));
        const section = document.getElementById("view");
        section.replaceChildren(...content);
        section.hidden = content.length === 0;
        section.dataset.view = view.kind;
        document.title = view.title ? `${view.title} · rollup explorer` : "rollup explorer";
        showError("");
        document.body.dataset.state = "ready";
      } catch (e) {
        // What is on the page stays, marked stale by the banner, until the server answers again.
        showError(e instanceof RpcError ? e.message : `the page failed: ${e.message}`);
        document.body.dataset.state = "error";
      }
    } while (again);
    refreshing = null;
  })();
  return refreshing;
}

// Whatever the Content-Security-Policy blocked is a bug of this page: say so, on the page.
document.addEventListener("securitypolicyviolation", (event) => {
  document.body.dataset.cspViolation = `${event.effectiveDirective} ${event.blockedURI || "inline"}`;
  showError(`this page broke its own Content-Security-Policy (${document.body.dataset.cspViolation})`);
});
document.getElementById("lookup").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = document.getElementById("lookup-input").value.trim();
  if (HEIGHT_PATTERN.test(text)) location.hash = `block=${Number(text)}`;
  else location.hash = `account=${text}`;  // a malformed key is explained by the account view
});
window.addEventListener("hashchange", () => refresh());
refresh();
setInterval(refresh, REFRESH_MS);
