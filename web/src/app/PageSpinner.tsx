import { Flex, Spin } from 'antd';

export function PageSpinner({ full = false }: { full?: boolean }) {
  return (
    <Flex justify="center" align="center" style={{ minHeight: full ? '100vh' : 240 }}>
      <Spin size="large" />
    </Flex>
  );
}
