// Nothing to do before the job: the check is in post.mjs.
console.log('The job summary is checked after go-cache-setup’s post step.')
