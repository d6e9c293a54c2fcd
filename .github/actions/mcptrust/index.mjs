// The action at this path is apps/action: the runner downloads the whole repository at
// the ref a workflow names, so the bundle there runs from here unchanged.
import '../../../apps/action/dist/index.js';
