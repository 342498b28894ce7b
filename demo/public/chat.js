// The chat page: plain JavaScript, no build step; corows comes from the bundle at /corows.js.
import { connectToWebsocket } from '/corows.js';

const $ = (id) => document.getElementById(id);
const status = $('status');
const lines = $('lines');
const online = $('online');

function showState(state, text) {
  status.dataset.state = state;
  status.textContent = text;
}

/** Appends one line to the chat; user text only ever goes through textContent. */
function addLine(kind, text, name, at) {
  const item = document.createElement('li');
  item.className = kind;
  if (name !== undefined) {
    const who = document.createElement('b');
    who.textContent = name;
    item.append(who, ' ');
  }
  item.append(text);
  if (at !== undefined) {
    const time = document.createElement('time');
    time.textContent = new Date(at).toLocaleTimeString();
    item.append(' ', time);
  }
  lines.append(item);
  lines.scrollTop = lines.scrollHeight;
  return item;
}

function showOnline(names, you) {
  online.replaceChildren(
    ...names.map((name) => {
      const item = document.createElement('li');
      item.textContent = name === you ? `${name} (you)` : name;
      return item;
    }),
  );
}

async function join(name) {
  const { wsPort } = await (await fetch('/config.json')).json();
  const address = `ws://${location.hostname}:${wsPort}/`;
  showState('CONNECTING', 'connecting…');
  let conn;
  try {
    // resume: a link that drops is replaced and the session goes on, nothing lost either way.
    conn = await connectToWebsocket(address, { resume: true, reconnect: { initialDelay: 250, maxDelay: 2000 } });
  } catch (err) {
    showState('CLOSED', 'connect failed');
    $('notice').textContent = err.message;
    return;
  }

  // Like the seed: the first answer is taken where we stand, the rest go to the handler.
  void conn.send({ type: 'join', name });
  const answer = await conn.receiveMessage();
  const welcome = answer === null ? { message: `the connection closed (${conn.closeCode})` } : JSON.parse(answer);
  if (welcome.type !== 'welcome') {
    showState('CLOSED', 'not joined');
    $('notice').textContent = welcome.message ?? 'the server refused the join';
    await conn.close();
    return;
  }
  let you = welcome.you;
  showState('OPEN', `connected as ${you}`);
  $('notice').textContent = '';
  $('join').hidden = true;
  $('room').hidden = false;
  for (const line of welcome.history) addLine('said history', line.text, line.name, line.at);
  addLine('notice', `You joined as ${you}.`);
  showOnline(welcome.online, you);
  watchLink(conn, () => you, name);

  conn.whenNewMsg((msg) => {
    if (msg === null) {
      showState('CLOSED', `disconnected (${conn.closeCode}${conn.closeReason ? `: ${conn.closeReason}` : ''})`);
      addLine('notice', 'The connection closed. Reload the page to join again.');
      $('text').disabled = true;
      return;
    }
    const event = JSON.parse(msg);
    if (event.type === 'welcome') {
      // The answer to a join sent again after a reset: a new session, so a new member.
      you = event.you;
      showState('OPEN', `connected as ${you}`);
      showSession(conn); // the new session's id (it was known before this answer came)
      addLine('notice', `You joined again as ${you}.`);
    } else if (event.type === 'said') addLine(event.name === you ? 'said mine' : 'said', event.text, event.name, event.at);
    else if (event.type === 'joined' && event.name !== you) addLine('notice', `${event.name} joined.`);
    else if (event.type === 'left') addLine('notice', `${event.name} left.`);
    else if (event.type === 'error') addLine('notice error', event.message);
    if (event.online) showOnline(event.online, you);
  });

  $('say').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const input = $('text');
    const text = input.value.trim();
    if (text === '') return;
    const err = await conn.send({ type: 'say', text });
    if (err === null) input.value = '';
    else addLine('notice error', err.message);
  });
  $('text').focus();
}

/**
 * Shows what happens to the link: "reconnecting…" when it drops, "resumed" when a new link continues
 * the session, and a reset (a new session: the page joins again). Offers the "Cut my link" button.
 */
function watchLink(conn, you, name) {
  let away;
  conn.on('reconnecting', () => {
    showState('CONNECTING', 'reconnecting…');
    if (away === undefined) away = addLine('notice link', 'Link lost: reconnecting…');
  });
  conn.on('resumed', () => {
    showState('OPEN', `connected as ${you()} · resumed`);
    away?.append(' resumed, nothing lost.');
    away = undefined;
    showSession(conn);
  });
  conn.on('reset', (reason, missing) => {
    addLine('notice error', `The session was reset (${reason}); ${missing} of your messages may not have arrived. Joining again…`);
    away = undefined;
    showSession(conn);
    void conn.send({ type: 'join', name });
  });

  const cut = $('cut');
  showSession(conn);
  cut.hidden = conn.session === null;
  cut.addEventListener('click', async () => {
    // The server resets the TCP connection under this page's link, as a network would (no close
    // frame), and keeps the link down for data-hold milliseconds: time to send while away.
    const query = `session=${encodeURIComponent(conn.session.id)}&hold=${cut.dataset.hold ?? 0}`;
    const answer = await fetch(`/cut?${query}`, { method: 'POST' });
    if (!answer.ok) addLine('notice error', `could not cut the link: ${(await answer.text()).trim()}`);
  });
}

function showSession(conn) {
  $('session').textContent = conn.session === null ? 'no session' : `session ${conn.session.id}`;
}

$('join').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const name = $('name').value.trim();
  if (name !== '') void join(name);
});
