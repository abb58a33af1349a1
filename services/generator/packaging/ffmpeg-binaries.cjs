// The service's handle on the shared plugin: osls loads local plugins only from the service's own folder.
module.exports = require('../../../deploy/ffmpeg-binaries.cjs');
