// Placeholder until the local stack lands: the suite then starts the emulators here.
export default async function globalSetup(): Promise<void> {}
