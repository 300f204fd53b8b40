import type { Server as Http1Server } from 'node:http';
import type { Http2Server } from 'node:http2';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';

/** The first bytes of the HTTP/2 connection preface (`PRI * HTTP/2.0`). */
const HTTP2_PREFACE = 'PRI';

/**
 * A stream that replays `first` and then everything the socket receives, writing through to
 * the socket. The HTTP/2 server reads sockets natively, so already-read bytes cannot be
 * pushed back into the socket itself.
 */
function replaying(socket: Socket, first: Buffer): Duplex {
  const duplex = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(error, callback) {
      socket.destroy(error ?? undefined);
      callback(error);
    },
  });
  duplex.push(first);
  socket.on('data', (data: Buffer) => {
    if (!duplex.push(data)) socket.pause();
  });
  socket.on('end', () => duplex.push(null));
  socket.on('error', (error) => duplex.destroy(error));
  socket.on('close', () => duplex.destroy());
  return duplex;
}

/**
 * Hands a new connection to the HTTP/1.1 or the cleartext HTTP/2 server, by its first bytes.
 */
export function routeConnection(socket: Socket, http1: Http1Server, http2: Http2Server): void {
  socket.once('data', (first: Buffer) => {
    socket.pause();
    if (first.subarray(0, HTTP2_PREFACE.length).toString('latin1') === HTTP2_PREFACE) {
      http2.emit('connection', replaying(socket, first));
      return;
    }
    socket.unshift(first);
    http1.emit('connection', socket);
    socket.resume();
  });
}
