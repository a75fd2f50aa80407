/**
 * Linux "cooked" capture headers (tcpdump -i any).
 * SLL (v1, 16 bytes): packet type u16, ARPHRD u16, address length u16, address 8 bytes, protocol u16 at 14.
 * SLL2 (20 bytes): protocol u16 at 0, reserved u16, ifindex u32, ARPHRD u16, packet type u8, addr len u8, addr 8.
 */
export const SLL_HEADER_LEN = 16;
export const SLL_PROTOCOL_OFFSET = 14;
export const SLL2_HEADER_LEN = 20;
export const SLL2_PROTOCOL_OFFSET = 0;
