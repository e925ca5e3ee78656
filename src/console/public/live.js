// The live feed: one socket to the `/console` namespace, authenticated by the session cookie and
// the CSRF token. Ticket events and presence are handed to whoever listens.
import { io } from '/console/vendor/socket.io.esm.min.js';

let socket = null;
const listeners = { event: new Set(), presence: new Set(), state: new Set() };
let viewing = null;

export function connectLive(csrfToken) {
  disconnectLive();
  socket = io('/console', { auth: { csrfToken }, transports: ['websocket', 'polling'] });
  socket.on('connect', () => {
    listeners.state.forEach((fn) => fn(true));
    // After a reconnect the server has forgotten which ticket this page shows.
    if (viewing !== null) socket.emit('ticket:view', viewing);
  });
  socket.on('disconnect', () => listeners.state.forEach((fn) => fn(false)));
  socket.on('connect_error', () => listeners.state.forEach((fn) => fn(false)));
  socket.on('ticket:event', (e) => listeners.event.forEach((fn) => fn(e)));
  socket.on('presence', (p) => listeners.presence.forEach((fn) => fn(p)));
}

export function disconnectLive() {
  socket?.disconnect();
  socket = null;
}

export const onTicketEvent = (fn) => listeners.event.add(fn);
export const onPresence = (fn) => listeners.presence.add(fn);
export const onConnectionState = (fn) => listeners.state.add(fn);

/** Joins the ticket's room (null: none), so the others there see this agent. */
export function viewTicket(number) {
  viewing = number;
  socket?.emit('ticket:view', number);
}

let typingNow = false;
let idle = null;
/** Called on every keystroke in the reply box; says "typing" once and "stopped" after a pause. */
export function typed() {
  if (!typingNow) { typingNow = true; socket?.emit('ticket:typing', true); }
  clearTimeout(idle);
  idle = setTimeout(stoppedTyping, 4000);
}

export function stoppedTyping() {
  clearTimeout(idle);
  if (typingNow) { typingNow = false; socket?.emit('ticket:typing', false); }
}
