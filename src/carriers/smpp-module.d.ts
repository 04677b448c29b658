/**
 * Types for the `smpp` package (0.5.1), which ships none and has no @types package: only the
 * part Herald uses. A PDU is a bag of fields named as in the SMPP 3.4 specification; the library
 * decodes `short_message` (and `message_payload`) per data_coding into `{ message, udh }`.
 */
declare module 'smpp' {
  import { EventEmitter } from 'node:events';
  import { Server as NetServer } from 'node:net';
  import type { Socket } from 'node:net';

  namespace smpp {
    /** `short_message` after decoding: the text and, with the UDH indicator, its elements. */
    interface DecodedMessage {
      message: string | Buffer;
      /** Each element as [identifier, length, ...data]. */
      udh?: Buffer[];
    }

    class PDU {
      constructor(command: string, options?: Record<string, unknown>);
      command: string;
      command_id: number;
      command_status: number;
      sequence_number: number;
      system_id?: string;
      password?: string;
      system_type?: string;
      message_id?: string;
      source_addr?: string;
      source_addr_ton?: number;
      source_addr_npi?: number;
      destination_addr?: string;
      dest_addr_ton?: number;
      dest_addr_npi?: number;
      esm_class?: number;
      registered_delivery?: number;
      data_coding?: number | null;
      short_message?: Buffer | DecodedMessage | string;
      message_payload?: Buffer | DecodedMessage;
      receipted_message_id?: string;
      message_state?: number;
      sar_msg_ref_num?: number;
      sar_total_segments?: number;
      sar_segment_seqnum?: number;
      [field: string]: unknown;
      isResponse(): boolean;
      response(options?: Record<string, unknown>): PDU;
      toBuffer(): Buffer;
    }

    class Session extends EventEmitter {
      socket: Socket;
      /** False (and nothing written) when the socket is no longer writable. */
      send(pdu: PDU, responseCallback?: (pdu: PDU) => void, sendCallback?: () => void): boolean;
      close(callback?: () => void): void;
      destroy(callback?: () => void): void;
      pause(): void;
      resume(): void;
    }

    class Server extends NetServer {
      sessions: Session[];
    }

    interface Coder {
      match(value: string): boolean;
      encode(value: string): Buffer;
      decode(value: Buffer): string;
    }

    function connect(options: { host: string; port: number }, listener?: () => void): Session;
    function createServer(
      options: Record<string, unknown>,
      listener?: (session: Session) => void,
    ): Server;

    /** GSM 03.38, one septet per octet (unpacked), with the national shift tables. */
    const gsmCoder: {
      encode(text: string, table?: number): Buffer;
      decode(bytes: Buffer, table?: number): string;
    };
    const encodings: { ASCII: Coder; LATIN1: Coder; UCS2: Coder };
    /** command_status values by name (ESME_ROK, ESME_RTHROTTLED, ...). */
    const errors: Readonly<Record<string, number>>;
  }

  export = smpp;
}
