// Test instrumentation: records every MIME type the page asks MediaSource for, so tests can
// prove what MSE received (e.g. never `video/mp2t`). It observes; it changes nothing.
(function () {
  window.__mse = { sourceBuffers: [], changeTypes: [] };
  if (!window.MediaSource) return;
  const add = MediaSource.prototype.addSourceBuffer;
  MediaSource.prototype.addSourceBuffer = function (type) {
    window.__mse.sourceBuffers.push(type);
    return add.call(this, type);
  };
  if (window.SourceBuffer && SourceBuffer.prototype.changeType) {
    const change = SourceBuffer.prototype.changeType;
    SourceBuffer.prototype.changeType = function (type) {
      window.__mse.changeTypes.push(type);
      return change.call(this, type);
    };
  }
})();
