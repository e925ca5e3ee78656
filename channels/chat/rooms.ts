/** Room names: one per conversation (its visitor's sockets), one per ticket (agents who joined it), all agents. */
export const conversationRoom = (conversationId: string) => `conversation:${conversationId}`;
export const ticketRoom = (ticketNumber: number) => `ticket:${ticketNumber}`;
export const AGENTS_ROOM = 'agents';
