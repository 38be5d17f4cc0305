/** Whether a Docker engine answers (testcontainers can then start containers); false quickly otherwise. */
export const dockerEngineAnswers = async (): Promise<boolean> => {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const client = await Promise.race([
      getContainerRuntimeClient(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 5_000)),
    ]);
    return client !== undefined;
  } catch {
    return false;
  }
};
