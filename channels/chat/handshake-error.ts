/** A refused socket.io handshake: the client's `connect_error` carries the stable code as message and in `data`. */
import type { ChatErrorCode } from './chat.events.ts';

export function handshakeError(code: ChatErrorCode): Error & { data: { code: ChatErrorCode } } {
  return Object.assign(new Error(code), { data: { code } });
}
