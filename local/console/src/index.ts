export { type ConsoleServer, startConsoleServer } from './console-server';
